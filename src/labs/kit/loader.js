// Loads one lab's own WebAssembly module (the Trunk bin `lab-<slug>`, an ES module) and mounts it
// into `el`, unless the visitor has already left. A file-backed module, so no Content-Security-
// Policy has to allow `eval`. Resolves to the module, which the page keeps to unmount it.
export function load_lab(url, el) {
  return import(url).then(async (m) => {
    await m.default();
    if (el.isConnected) {
      m.mount_lab(el);
    }
    return m;
  });
}

// Unmounts a lab loaded by `load_lab`.
export function unmount_lab(m) {
  m.unmount_lab();
}
