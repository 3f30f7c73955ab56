/**
 * A small YAML reader for the subset `compose.yaml` uses: block mappings and
 * sequences by indentation, flow sequences (also across lines), plain and
 * quoted scalars, `|` block scalars, comments, anchors, aliases and `<<`
 * merge keys. No YAML package is in the design card, and the deployment test
 * only needs to read our own file; anything outside the subset is an error.
 *
 * @module
 */

/** A parsed YAML value. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  indent: number;
  text: string;
  number: number;
}

function stripComment(text: string): string {
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "#" && (i === 0 || text[i - 1] === " ")) return text.slice(0, i).trimEnd();
  }
  return text.trimEnd();
}

function scalar(raw: string): YamlValue {
  const text = raw.trim();
  if (text.startsWith('"') && text.endsWith('"')) return JSON.parse(text);
  if (text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  if (text === "" || text === "~" || text === "null") return null;
  if (text === "true" || text === "false") return text === "true";
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

function flowSequence(text: string): YamlValue[] {
  const inner = text.trim().slice(1, -1);
  const items: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (const char of inner) {
    if (quote) {
      current += char;
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
      current += char;
    } else if (char === ",") {
      items.push(current);
      current = "";
    } else current += char;
  }
  if (current.trim() !== "") items.push(current);
  return items.map((item) => scalar(item));
}

/** Parses the YAML subset described in the module doc. */
export function parseYaml(source: string): YamlValue {
  const lines: Line[] = [];
  const raw = source.split("\n");
  for (let i = 0; i < raw.length; i++) {
    const text = stripComment(raw[i]);
    if (text.trim() === "") continue;
    lines.push({ indent: text.length - text.trimStart().length, text: text.trim(), number: i + 1 });
  }
  const anchors = new Map<string, YamlValue>();
  let at = 0;

  function blockScalar(parentIndent: number): string {
    const out: string[] = [];
    let start = -1;
    // Block scalars keep blank lines and comments; read them from the raw source.
    let rawIndex = lines[at - 1].number;
    while (rawIndex < raw.length) {
      const text = raw[rawIndex];
      const indent = text.length - text.trimStart().length;
      if (text.trim() !== "" && indent <= parentIndent) break;
      if (text.trim() !== "" && start < 0) start = indent;
      out.push(text.trim() === "" ? "" : text.slice(start));
      rawIndex++;
    }
    while (at < lines.length && lines[at].number <= rawIndex) at++;
    return out.join("\n").replace(/\n+$/, "") + "\n";
  }

  function value(rest: string, indent: number): YamlValue {
    let text = rest.trim();
    let anchor: string | null = null;
    const anchored = /^&([\w-]+)\s*(.*)$/.exec(text);
    if (anchored) {
      anchor = anchored[1];
      text = anchored[2];
    }
    let result: YamlValue;
    if (text === "") result = at < lines.length && lines[at].indent > indent ? block(lines[at].indent) : null;
    else if (text.startsWith("*")) {
      const name = text.slice(1);
      if (!anchors.has(name)) throw new SyntaxError(`Unknown alias *${name}`);
      result = anchors.get(name)!;
    } else if (text === "|" || text === "|-") result = blockScalar(indent);
    else if (text.startsWith("[")) {
      while (!balanced(text)) {
        if (at >= lines.length) throw new SyntaxError("Unclosed flow sequence");
        text += " " + lines[at++].text;
      }
      result = flowSequence(text);
    } else result = scalar(text);
    if (anchor !== null) anchors.set(anchor, result);
    return result;
  }

  function block(indent: number): YamlValue {
    if (lines[at].text.startsWith("- ") || lines[at].text === "-") {
      const list: YamlValue[] = [];
      while (at < lines.length && lines[at].indent === indent && lines[at].text.startsWith("-")) {
        const line = lines[at++];
        list.push(value(line.text.slice(1), indent));
      }
      return list;
    }
    const map: { [key: string]: YamlValue } = {};
    while (at < lines.length && lines[at].indent === indent) {
      const line = lines[at++];
      const match = /^("[^"]*"|'[^']*'|[^:]+?):(?:\s+(.*))?$/.exec(line.text);
      if (!match) throw new SyntaxError(`Line ${line.number}: expected "key: value"`);
      const key = String(scalar(match[1]));
      const item = value(match[2] ?? "", indent);
      if (key === "<<") {
        if (typeof item !== "object" || item === null || Array.isArray(item)) {
          throw new SyntaxError(`Line ${line.number}: << needs a mapping`);
        }
        for (const [name, merged] of Object.entries(item)) if (!(name in map)) map[name] = merged;
      } else map[key] = item;
    }
    if (at < lines.length && lines[at].indent > indent) {
      throw new SyntaxError(`Line ${lines[at].number}: unexpected indentation`);
    }
    return map;
  }

  if (lines.length === 0) return null;
  const result = block(lines[0].indent);
  if (at < lines.length) throw new SyntaxError(`Line ${lines[at].number}: unexpected content`);
  return result;
}

function balanced(text: string): boolean {
  let depth = 0;
  let quote: string | null = null;
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "[") depth++;
    else if (char === "]") depth--;
  }
  return depth === 0;
}
