import { CommandError } from "../errors";

/** One statement of a CQL file, without its terminating semicolon. */
export interface CqlStatement {
  /** Statement text with comments removed and surrounding white space trimmed. */
  readonly text: string;
  /** 1-based line where the statement starts. */
  readonly line: number;
}

export class CqlSyntaxError extends CommandError {
  override name = "CqlSyntaxError";
  constructor(
    public readonly file: string,
    public readonly line: number,
    problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
  }
}

/**
 * Splits CQL text into statements at semicolons that are not inside a string
 * ('…' with '' escapes), a quoted identifier ("…" with "" escapes), a $$…$$
 * block or a comment (--, // to the end of the line, /* … *\/). Comments are
 * dropped from the statement text. An unterminated string, identifier, block
 * or comment is an error naming the line where it opened; text after the last
 * semicolon that is not only white space is an error too (a missing ';').
 */
export function splitCql(text: string, file: string): CqlStatement[] {
  const statements: CqlStatement[] = [];
  let current = "";
  let startLine = 0; // line of the first significant character of `current`; 0 = none yet
  let line = 1;
  let i = 0;

  const take = (chunk: string) => {
    if (startLine === 0 && chunk.trim() !== "") startLine = line;
    current += chunk;
  };
  // Copies a delimited run (string, identifier or $$ block) verbatim, counting lines.
  const quoted = (open: string, close: string, doubledEscape: boolean, what: string) => {
    const openedAt = line;
    let j = i + open.length;
    for (;;) {
      const end = text.indexOf(close, j);
      if (end === -1) throw new CqlSyntaxError(file, openedAt, `unterminated ${what} (opened here)`);
      if (doubledEscape && text.startsWith(close, end + close.length)) {
        j = end + 2 * close.length;
        continue;
      }
      const chunk = text.slice(i, end + close.length);
      take(chunk);
      line += countNewlines(chunk);
      i = end + close.length;
      return;
    }
  };

  while (i < text.length) {
    const c = text[i];
    const two = text.slice(i, i + 2);
    if (two === "--" || two === "//") {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end; // the newline itself is kept
    } else if (two === "/*") {
      const end = text.indexOf("*/", i + 2);
      if (end === -1) throw new CqlSyntaxError(file, line, "unterminated /* comment (opened here)");
      line += countNewlines(text.slice(i, end));
      current += " ";
      i = end + 2;
    } else if (two === "$$") {
      quoted("$$", "$$", false, "$$ block");
    } else if (c === "'") {
      quoted("'", "'", true, "string literal");
    } else if (c === '"') {
      quoted('"', '"', true, "quoted identifier");
    } else if (c === ";") {
      if (current.trim() !== "") statements.push({ text: current.trim(), line: startLine });
      current = "";
      startLine = 0;
      i += 1;
    } else {
      if (c === "\n") line += 1;
      take(c);
      i += 1;
    }
  }
  if (current.trim() !== "") {
    throw new CqlSyntaxError(file, startLine, "statement is not terminated by ';'");
  }
  return statements;
}

function countNewlines(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === "\n") n += 1;
  return n;
}
