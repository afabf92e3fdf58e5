/**
 * One line of CSV (RFC 4180 quoting: "a,b" and "" for a quote inside), or
 * undefined when a quote is left open. Fields are trimmed: the files Vigil
 * reads (labels, model samples) hold ids, numbers, dates and categories, whose
 * surrounding spaces never belong to the value. No field spans lines: none of
 * those values holds a newline.
 */
export function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field.trim());
      field = '';
    } else field += c;
  }
  if (quoted) return undefined;
  fields.push(field.trim());
  return fields;
}
