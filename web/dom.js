// Small DOM helpers the page modules share.
export const $ = (id) => document.getElementById(id);

// Yields to the browser, so a long piece of work does not block the page.
export const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
// Resolves after the next frame is painted: what the page changed before it is on screen.
export const afterPaint = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

export function download(name, text, type) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
