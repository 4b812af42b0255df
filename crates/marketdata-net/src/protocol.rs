//! The Kraken WebSocket v2 control messages the feed and the client exchange around the `book`
//! channel: subscribe / unsubscribe requests and their replies, `status` and `heartbeat`, and
//! the routing of an incoming frame (book data to the parser, the rest to the connection).

use serde::{Deserialize, Serialize};

/// Longest request a feed accepts from a client.
pub const MAX_REQUEST_BYTES: usize = 4096;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookParams {
    pub channel: String,
    pub symbol: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth: Option<usize>,
}

/// A request from client to feed: `{"method":"subscribe","params":{…},"req_id":1}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub method: String,
    pub params: BookParams,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub req_id: Option<u64>,
}

impl Request {
    pub fn book(method: &str, symbol: &str, depth: usize, req_id: u64) -> Request {
        Request {
            method: method.to_string(),
            params: BookParams {
                channel: "book".to_string(),
                symbol: vec![symbol.to_string()],
                depth: Some(depth),
            },
            req_id: Some(req_id),
        }
    }

    pub fn to_json(&self) -> String {
        // A struct of strings and integers always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The feed's reply to a request.
pub fn reply(method: &str, req_id: Option<u64>, symbol: &str, error: Option<&str>) -> String {
    let mut v = serde_json::json!({
        "method": method,
        "result": {"channel": "book", "symbol": symbol},
        "success": error.is_none(),
    });
    if let Some(id) = req_id {
        v["req_id"] = id.into();
    }
    if let Some(e) = error {
        v["error"] = e.into();
    }
    v.to_string()
}

pub const HEARTBEAT: &str = r#"{"channel":"heartbeat"}"#;

pub fn status(connection_id: u64) -> String {
    serde_json::json!({
        "channel": "status",
        "type": "update",
        "data": [{"system": "online", "api_version": "v2", "connection_id": connection_id, "version": "marketdata-net"}],
    })
    .to_string()
}

/// What an incoming frame is, for routing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A `book` message: for the parser and the client's state machine.
    Book,
    Heartbeat,
    Status,
    /// A reply to a request, with its error if it failed.
    Reply {
        method: String,
        error: Option<String>,
    },
    /// Not JSON, or a channel this client does not take.
    Other,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    channel: Option<&'a str>,
    #[serde(borrow, default)]
    method: Option<&'a str>,
    #[serde(default)]
    error: Option<String>,
}

/// Routes a frame. Book data as Kraken and this feed write it (`{"channel":"book",…` first) is
/// recognised from its first bytes, so the parser reads it once; anything else is read as an
/// envelope of its `channel` and `method` fields.
pub fn classify(frame: &str) -> Frame {
    if frame.starts_with(r#"{"channel":"book","#) {
        return Frame::Book;
    }
    let Ok(env) = serde_json::from_str::<Envelope>(frame) else {
        return Frame::Other;
    };
    match (env.channel, env.method) {
        (Some("book"), _) => Frame::Book,
        (Some("heartbeat"), _) => Frame::Heartbeat,
        (Some("status"), _) => Frame::Status,
        (None, Some(method)) => Frame::Reply {
            method: method.to_string(),
            error: env.error,
        },
        _ => Frame::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_routed_by_channel_or_method_in_any_key_order() {
        assert_eq!(
            classify(r#"{"channel":"book","type":"update","data":[]}"#),
            Frame::Book
        );
        assert_eq!(
            classify(r#"{"type":"update","channel":"book","data":[]}"#),
            Frame::Book
        );
        assert_eq!(classify(HEARTBEAT), Frame::Heartbeat);
        assert_eq!(classify(&status(7)), Frame::Status);
        assert_eq!(
            classify(&reply(
                "subscribe",
                Some(1),
                "SIM/USD",
                Some("Already subscribed")
            )),
            Frame::Reply {
                method: "subscribe".into(),
                error: Some("Already subscribed".into())
            }
        );
        assert_eq!(
            classify(&reply("subscribe", None, "SIM/USD", None)),
            Frame::Reply {
                method: "subscribe".into(),
                error: None
            }
        );
        for other in [
            "",
            "not json",
            "[1,2]",
            r#"{"channel":"ticker"}"#,
            r#"{"channel":3}"#,
        ] {
            assert_eq!(classify(other), Frame::Other, "{other}");
        }
    }

    #[test]
    fn a_request_round_trips() {
        let r = Request::book("subscribe", "SIM/USD", 10, 4);
        let back: Request = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(back, r);
        assert_eq!(
            r.to_json(),
            r#"{"method":"subscribe","params":{"channel":"book","symbol":["SIM/USD"],"depth":10},"req_id":4}"#
        );
    }
}
