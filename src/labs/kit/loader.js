// Loads one lab's own WebAssembly module (the Trunk bin `lab-<slug>`, an ES module) and the labs'
// live stylesheet, then mounts the lab into `el` unless the visitor has already left. A
// file-backed module, so no Content-Security-Policy has to allow `eval`. Resolves to the module,
// which the page keeps to unmount it.
export function load_lab(url, css, el) {
  return Promise.all([import(url), stylesheet(css)]).then(async ([m]) => {
    await m.default();
    if (el.isConnected) {
      m.mount_lab(el);
    }
    return m;
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
