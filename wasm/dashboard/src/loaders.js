// Getting files into the page: the file pickers, drag-and-drop and the size limit. Files are
// read with the File API (no fetch), so the page works from file://.

/** Files above this size are refused with a message instead of freezing the tab. */
export const MAX_BYTES = 100 * 1024 * 1024;

/** The file's text, or an Error saying why it cannot be read. */
export async function readText(file) {
  if (file.size > MAX_BYTES) {
    const mb = (file.size / 1024 / 1024).toFixed(1);
    throw new Error(`${file.name} is ${mb} MB; the dashboard reads files up to ${MAX_BYTES / 1024 / 1024} MB. Sample the rows or export a summary bundle from Python (Report.save_html) instead.`);
  }
  try {
    return await file.text();
  } catch (e) {
    throw new Error(`${file.name} could not be read: ${e.message}`);
  }
}

/** What a file is by its name: "csv", "json" or null. */
export function fileKind(file) {
  const name = file.name.toLowerCase();
  if (name.endsWith(".csv") || file.type === "text/csv") return "csv";
  if (name.endsWith(".json") || file.type === "application/json") return "json";
  return null;
}

/** Make `zone` accept dropped files (and Enter/Space to open `picker`). */
export function dropZone(zone, picker, onFiles) {
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer?.files?.length) onFiles([...e.dataTransfer.files]);
  });
  zone.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); picker.click(); }
  });
}
