// Numbers as the page shows them; the exact value stays in a data-value attribute.

/** A number to 4 significant digits, "—" for null/NaN (an undefined value). */
export function fmt(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-4)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/** A group tuple as one label: "Female × White". */
export function groupLabel(group) {
  return group.length ? group.join(" × ") : "overall";
}

/** A table cell holding a number: shown formatted, exact in data-value. */
export function numberCell(v, attrs = {}) {
  const td = document.createElement("td");
  td.className = "num";
  td.textContent = fmt(v);
  td.dataset.value = v === null || v === undefined || Number.isNaN(v) ? "null" : String(v);
  for (const [k, val] of Object.entries(attrs)) td.dataset[k] = val;
  return td;
}

/** Create an element with properties and children. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "dataset") Object.assign(node.dataset, v);
    else if (k in node && k !== "list") node[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}
