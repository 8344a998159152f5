// CSV text → columns (RFC 4180 quoting). Values that all parse as finite numbers make a
// numeric column; anything else stays text. Malformed input is an Error naming the line.

/** Parse CSV text: {names, rows, columns: {name: values}, numeric: {name: bool}}. */
export function parseCsv(text, progress = () => {}) {
  if (typeof text !== "string" || text.trim() === "") {
    throw new Error("the CSV file is empty; expected a header line and at least one row");
  }
  const records = splitRecords(text, progress);
  const header = records.shift();
  const names = header.map((h) => h.trim());
  if (names.some((n) => n === "")) {
    throw new Error("the CSV header has an empty column name; name every column on line 1");
  }
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new Error(`the CSV header names column "${dup}" twice`);
  if (records.length === 0) throw new Error("the CSV file has a header but no data rows");
  const raw = names.map(() => new Array(records.length));
  records.forEach((rec, r) => {
    if (rec.length !== names.length) {
      throw new Error(`CSV line ${r + 2} has ${rec.length} fields, the header has ${names.length}; check its quoting and commas`);
    }
    for (let c = 0; c < names.length; c++) raw[c][r] = rec[c];
  });
  const columns = {};
  const numeric = {};
  names.forEach((name, c) => {
    const nums = raw[c].map((v) => (v.trim() === "" ? NaN : Number(v)));
    const isNumeric = nums.every((v) => Number.isFinite(v));
    numeric[name] = isNumeric;
    columns[name] = isNumeric ? nums : raw[c];
  });
  return { names, rows: records.length, columns, numeric };
}

function splitRecords(text, progress) {
  const records = [];
  let field = "";
  let record = [];
  let quoted = false;
  let line = 1;
  let opened = 1;
  const n = text.length;
  const step = Math.max(1, Math.floor(n / 20));
  for (let i = 0; i < n; i++) {
    if (i % step === 0) progress(`Parsing CSV (${Math.round((100 * i) / n)}%)`, i / n);
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"') {
      if (field !== "") throw new Error(`CSV line ${line}: a quote inside an unquoted field; quote the whole field`);
      quoted = true;
      opened = line;
    } else if (ch === ",") {
      record.push(field); field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      record.push(field); field = "";
      if (!(record.length === 1 && record[0] === "")) records.push(record);
      record = [];
      line++;
    } else {
      field += ch;
    }
  }
  if (quoted) throw new Error(`CSV line ${opened}: a quoted field never closes; check its quotes`);
  record.push(field);
  if (!(record.length === 1 && record[0] === "")) records.push(record);
  return records;
}
