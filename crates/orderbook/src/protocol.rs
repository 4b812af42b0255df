//! The replay text protocol: parsing command lines and formatting/parsing event lines, shared by
//! the `book-replay` binary and the browser lab's session export/import.
//!
//! Commands (fields separated by ASCII whitespace, numbers are plain ASCII decimal u64):
//! `LIMIT <id> <BUY|SELL> <price> <qty> [<GTC|IOC|FOK|POST> [<owner>]]`,
//! `MARKET <id> <BUY|SELL> <qty> [<owner>]`, `CANCEL <id>`, `MODIFY <id> <price> <qty>`, `PRINT`.
//! Events: `ACCEPT <id>`, `REJECT <id> <REASON>`, `TRADE <taker> <maker> <price> <qty>`,
//! `CANCELLED <id> <qty>`, `MODIFIED <id> <price> <qty>`; L2 lines `BID|ASK <price> <qty> <n>`
//! then `END`; errors `ERROR <line> <message>`.

use std::fmt::{self, Write};

use crate::book::Book;
use crate::command::{Command, Side, Tif};
use crate::event::{side_token, Event, RejectReason};

/// Longest accepted line in bytes (excluding the newline); longer lines are an `ERROR`.
pub const MAX_LINE_BYTES: usize = 4096;

/// A parsed replay line: a book command or a `PRINT` request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    Command(Command),
    Print,
}

/// Which numeric field was malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Id,
    Price,
    Qty,
    Owner,
    Line,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Price => "price",
            Field::Qty => "quantity",
            Field::Owner => "owner",
            Field::Line => "line number",
        }
    }
}

/// Why a line is malformed. Its `Display` is the message of the `ERROR` line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseError {
    UnknownCommand,
    WrongFieldCount,
    /// A field that is not ASCII decimal digits (a sign, a letter, ...).
    NotANumber(Field),
    /// A decimal value above `u64::MAX`.
    Overflow(Field),
    BadSide,
    BadTif,
    BadReason,
    NotUtf8,
    LineTooLong,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::UnknownCommand => f.write_str("unknown command"),
            ParseError::WrongFieldCount => f.write_str("wrong number of fields"),
            ParseError::NotANumber(field) => write!(f, "{} is not a decimal u64", field.name()),
            ParseError::Overflow(field) => write!(f, "{} is above u64 max", field.name()),
            ParseError::BadSide => f.write_str("side must be BUY or SELL"),
            ParseError::BadTif => f.write_str("tif must be GTC, IOC, FOK or POST"),
            ParseError::BadReason => f.write_str("unknown reject reason"),
            ParseError::NotUtf8 => f.write_str("line is not valid UTF-8"),
            ParseError::LineTooLong => write!(f, "line longer than {MAX_LINE_BYTES} bytes"),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses a plain ASCII decimal u64 (digits only: no sign, no spaces, no `_`).
pub fn parse_u64(token: &str, field: Field) -> Result<u64, ParseError> {
    if token.is_empty() {
        return Err(ParseError::NotANumber(field));
    }
    let mut v: u64 = 0;
    for b in token.bytes() {
        if !b.is_ascii_digit() {
            return Err(ParseError::NotANumber(field));
        }
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add((b - b'0') as u64))
            .ok_or(ParseError::Overflow(field))?;
    }
    Ok(v)
}

fn parse_side(token: &str) -> Result<Side, ParseError> {
    match token {
        "BUY" => Ok(Side::Buy),
        "SELL" => Ok(Side::Sell),
        _ => Err(ParseError::BadSide),
    }
}

fn parse_tif(token: &str) -> Result<Tif, ParseError> {
    match token {
        "GTC" => Ok(Tif::Gtc),
        "IOC" => Ok(Tif::Ioc),
        "FOK" => Ok(Tif::Fok),
        "POST" => Ok(Tif::Post),
        _ => Err(ParseError::BadTif),
    }
}

fn parse_reason(token: &str) -> Result<RejectReason, ParseError> {
    match token {
        "INVALID" => Ok(RejectReason::Invalid),
        "DUPLICATE_ID" => Ok(RejectReason::DuplicateId),
        "UNKNOWN_ORDER" => Ok(RejectReason::UnknownOrder),
        "FOK_UNFILLABLE" => Ok(RejectReason::FokUnfillable),
        "POST_ONLY_WOULD_CROSS" => Ok(RejectReason::PostOnlyWouldCross),
        _ => Err(ParseError::BadReason),
    }
}

/// Most fields any line may have (LIMIT with tif and owner); more is `WrongFieldCount`.
const MAX_FIELDS: usize = 7;

/// Splits a line into at most `MAX_FIELDS` fields; `Err` if there are more.
fn fields(line: &str) -> Result<([&str; MAX_FIELDS], usize), ParseError> {
    let mut out = [""; MAX_FIELDS];
    let mut n = 0;
    for tok in line.split_ascii_whitespace() {
        if n == MAX_FIELDS {
            return Err(ParseError::WrongFieldCount);
        }
        out[n] = tok;
        n += 1;
    }
    Ok((out, n))
}

/// Parses one command line. `Ok(None)` for a blank line.
pub fn parse_line(line: &str) -> Result<Option<Request>, ParseError> {
    let (f, n) = fields(line)?;
    if n == 0 {
        return Ok(None);
    }
    let req = match f[0] {
        "LIMIT" => {
            if !(5..=7).contains(&n) {
                return Err(ParseError::WrongFieldCount);
            }
            let id = parse_u64(f[1], Field::Id)?;
            let side = parse_side(f[2])?;
            let price = parse_u64(f[3], Field::Price)?;
            let qty = parse_u64(f[4], Field::Qty)?;
            let tif = if n >= 6 { parse_tif(f[5])? } else { Tif::Gtc };
            let owner = if n == 7 {
                Some(parse_u64(f[6], Field::Owner)?)
            } else {
                None
            };
            Request::Command(Command::Limit {
                id,
                side,
                price,
                qty,
                tif,
                owner,
            })
        }
        "MARKET" => {
            if !(4..=5).contains(&n) {
                return Err(ParseError::WrongFieldCount);
            }
            let id = parse_u64(f[1], Field::Id)?;
            let side = parse_side(f[2])?;
            let qty = parse_u64(f[3], Field::Qty)?;
            let owner = if n == 5 {
                Some(parse_u64(f[4], Field::Owner)?)
            } else {
                None
            };
            Request::Command(Command::Market {
                id,
                side,
                qty,
                owner,
            })
        }
        "CANCEL" => {
            if n != 2 {
                return Err(ParseError::WrongFieldCount);
            }
            Request::Command(Command::Cancel {
                id: parse_u64(f[1], Field::Id)?,
            })
        }
        "MODIFY" => {
            if n != 4 {
                return Err(ParseError::WrongFieldCount);
            }
            Request::Command(Command::Modify {
                id: parse_u64(f[1], Field::Id)?,
                price: parse_u64(f[2], Field::Price)?,
                qty: parse_u64(f[3], Field::Qty)?,
            })
        }
        "PRINT" => {
            if n != 1 {
                return Err(ParseError::WrongFieldCount);
            }
            Request::Print
        }
        _ => return Err(ParseError::UnknownCommand),
    };
    Ok(Some(req))
}

fn tif_token(tif: Tif) -> &'static str {
    match tif {
        Tif::Gtc => "GTC",
        Tif::Ioc => "IOC",
        Tif::Fok => "FOK",
        Tif::Post => "POST",
    }
}

/// Writes a command as one replay line (no newline); `parse_line` reads it back unchanged.
pub fn write_command(out: &mut impl Write, cmd: &Command) -> fmt::Result {
    match *cmd {
        Command::Limit {
            id,
            side,
            price,
            qty,
            tif,
            owner,
        } => {
            write!(out, "LIMIT {id} {} {price} {qty}", side_token(side))?;
            match owner {
                Some(o) => write!(out, " {} {o}", tif_token(tif)),
                None if tif != Tif::Gtc => write!(out, " {}", tif_token(tif)),
                None => Ok(()),
            }
        }
        Command::Market {
            id,
            side,
            qty,
            owner,
        } => {
            write!(out, "MARKET {id} {} {qty}", side_token(side))?;
            match owner {
                Some(o) => write!(out, " {o}"),
                None => Ok(()),
            }
        }
        Command::Cancel { id } => write!(out, "CANCEL {id}"),
        Command::Modify { id, price, qty } => write!(out, "MODIFY {id} {price} {qty}"),
    }
}

/// Writes an event as one output line (no newline).
pub fn write_event(out: &mut impl Write, ev: &Event) -> fmt::Result {
    match *ev {
        Event::Accept { id } => write!(out, "ACCEPT {id}"),
        Event::Reject { id, reason } => write!(out, "REJECT {id} {}", reason.as_str()),
        Event::Trade {
            taker_id,
            maker_id,
            price,
            qty,
        } => write!(out, "TRADE {taker_id} {maker_id} {price} {qty}"),
        Event::Cancelled { id, remaining_qty } => write!(out, "CANCELLED {id} {remaining_qty}"),
        Event::Modified { id, price, qty } => write!(out, "MODIFIED {id} {price} {qty}"),
    }
}

/// Parses one event line as written by [`write_event`].
pub fn parse_event(line: &str) -> Result<Event, ParseError> {
    let (f, n) = fields(line)?;
    let want = match f[0] {
        "ACCEPT" => 2,
        "REJECT" | "CANCELLED" => 3,
        "MODIFIED" => 4,
        "TRADE" => 5,
        _ => return Err(ParseError::UnknownCommand),
    };
    if n != want {
        return Err(ParseError::WrongFieldCount);
    }
    let id = parse_u64(f[1], Field::Id)?;
    Ok(match f[0] {
        "ACCEPT" => Event::Accept { id },
        "REJECT" => Event::Reject {
            id,
            reason: parse_reason(f[2])?,
        },
        "CANCELLED" => Event::Cancelled {
            id,
            remaining_qty: parse_u64(f[2], Field::Qty)?,
        },
        "MODIFIED" => Event::Modified {
            id,
            price: parse_u64(f[2], Field::Price)?,
            qty: parse_u64(f[3], Field::Qty)?,
        },
        _ => Event::Trade {
            taker_id: id,
            maker_id: parse_u64(f[2], Field::Id)?,
            price: parse_u64(f[3], Field::Price)?,
            qty: parse_u64(f[4], Field::Qty)?,
        },
    })
}

/// Writes the `PRINT` output: every bid level best first, every ask level best first, `END`;
/// each line newline-terminated.
pub fn write_l2(out: &mut impl Write, book: &Book) -> fmt::Result {
    for (side, tag) in [(Side::Buy, "BID"), (Side::Sell, "ASK")] {
        for l in book.levels(side) {
            writeln!(out, "{tag} {} {} {}", l.price, l.total_qty, l.orders)?;
        }
    }
    out.write_str("END\n")
}

/// Writes an `ERROR <line> <message>` line (newline-terminated).
pub fn write_error(out: &mut impl Write, line_no: u64, err: &ParseError) -> fmt::Result {
    writeln!(out, "ERROR {line_no} {err}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_reject_signs_letters_and_overflow() {
        assert_eq!(parse_u64("0", Field::Id), Ok(0));
        assert_eq!(parse_u64("007", Field::Id), Ok(7));
        assert_eq!(parse_u64("18446744073709551615", Field::Id), Ok(u64::MAX));
        assert_eq!(
            parse_u64("18446744073709551616", Field::Id),
            Err(ParseError::Overflow(Field::Id))
        );
        for bad in ["+1", "-1", "1a", "0x10", "1_000", "١"] {
            assert_eq!(
                parse_u64(bad, Field::Qty),
                Err(ParseError::NotANumber(Field::Qty)),
                "{bad}"
            );
        }
    }

    #[test]
    fn command_lines_parse_with_defaults_and_bounds() {
        assert_eq!(
            parse_line("  LIMIT 1 BUY 99 5  "),
            Ok(Some(Request::Command(Command::Limit {
                id: 1,
                side: Side::Buy,
                price: 99,
                qty: 5,
                tif: Tif::Gtc,
                owner: None
            })))
        );
        assert_eq!(parse_line("   "), Ok(None));
        assert_eq!(parse_line("PRINT"), Ok(Some(Request::Print)));
        assert_eq!(parse_line("PRINT 1"), Err(ParseError::WrongFieldCount));
        assert_eq!(
            parse_line("LIMIT 1 BUY 99 5 GTC 7 8"),
            Err(ParseError::WrongFieldCount)
        );
        assert_eq!(parse_line("LIMIT 1 buy 99 5"), Err(ParseError::BadSide));
        assert_eq!(parse_line("LIMIT 1 BUY 99 5 DAY"), Err(ParseError::BadTif));
        assert_eq!(
            parse_line("limit 1 BUY 99 5"),
            Err(ParseError::UnknownCommand)
        );
        assert_eq!(parse_line("CANCEL"), Err(ParseError::WrongFieldCount));
        assert_eq!(
            parse_line("MARKET 1 SELL 5 9 9"),
            Err(ParseError::WrongFieldCount)
        );
    }

    #[test]
    fn commands_and_events_round_trip_through_text() {
        let cmds = [
            Command::Limit {
                id: 1,
                side: Side::Sell,
                price: 10,
                qty: 2,
                tif: Tif::Post,
                owner: None,
            },
            Command::Limit {
                id: 2,
                side: Side::Buy,
                price: 10,
                qty: 2,
                tif: Tif::Gtc,
                owner: Some(4),
            },
            Command::Market {
                id: 3,
                side: Side::Buy,
                qty: 9,
                owner: Some(0),
            },
            Command::Cancel { id: 5 },
            Command::Modify {
                id: 6,
                price: 7,
                qty: 8,
            },
        ];
        for c in cmds {
            let mut s = String::new();
            write_command(&mut s, &c).unwrap();
            assert_eq!(parse_line(&s), Ok(Some(Request::Command(c))), "{s}");
        }
        let evs = [
            Event::Accept { id: 1 },
            Event::Reject {
                id: 2,
                reason: RejectReason::PostOnlyWouldCross,
            },
            Event::Trade {
                taker_id: 1,
                maker_id: 2,
                price: 3,
                qty: 4,
            },
            Event::Cancelled {
                id: 5,
                remaining_qty: 6,
            },
            Event::Modified {
                id: 7,
                price: 8,
                qty: 9,
            },
        ];
        for e in evs {
            let mut s = String::new();
            write_event(&mut s, &e).unwrap();
            assert_eq!(parse_event(&s), Ok(e), "{s}");
        }
    }
}
