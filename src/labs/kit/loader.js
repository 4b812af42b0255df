// Loads one lab's own WebAssembly module (the Trunk bin `lab-<slug>`, an ES module) and the labs'
// live stylesheet, then mounts the lab into `el` unless the visitor has already left. A
// file-backed module, so no Content-Security-Policy has to allow `eval`. Resolves to the module,
// which the page keeps to unmount it.
//
// It starts once the live column is within half a screen of the viewport: beside the prose on
// a wide screen, that is at once; on a phone, where the column comes after the prose, it is when
// the visitor scrolls towards it, so reading the page never waits on (or pays for) an engine.
export function load_lab(url, css, el) {
  return nearViewport(el).then(() => Promise.all([import(url), stylesheet(css)])).then(async ([m]) => {
    await m.default();
    if (el.isConnected) {
      m.mount_lab(el);
    }
    return m;
  });
}

// Resolves when `el` comes within half a screen of the viewport (at once if it is already).
function nearViewport(el) {
  if (!("IntersectionObserver" in window)) {
    return Promise.resolve();
  }
  return new Promise((done) => {
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        observer.disconnect();
        done();
      }
    }, { rootMargin: "50% 0px" });
    observer.observe(el);
  });
}

// Adds the stylesheet once per document; resolves when it has loaded (or failed: the lab still
// works unstyled rather than not at all).
function stylesheet(href) {
  let link = document.querySelector("link[data-lab-css]");
  if (!link) {
    link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.dataset.labCss = "";
    link.loaded = new Promise((done) => {
      link.onload = done;
      link.onerror = done;
    });
    document.head.appendChild(link);
  }
  return link.loaded;
}

// Unmounts a lab loaded by `load_lab`.
export function unmount_lab(m) {
  m.unmount_lab();
}
