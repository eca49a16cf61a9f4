/**
 * A small writer of CPLEX LP format, the text HiGHS's one-shot `solve` reads.
 * Terms are wrapped a few to a line (some LP readers limit line length) and
 * coefficients written in fixed notation, never as exponents.
 */
export type Term = [coefficient: number, variable: string];

export interface Row {
  name: string;
  terms: Term[];
  op: '=' | '<=' | '>=';
  rhs: number;
}

export interface LinearProgram {
  objective: Term[];
  rows: Row[];
  /** Variables restricted to {0, 1}. */
  binaries: string[];
}

const num = (x: number) => {
  const s = x.toFixed(6).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
};

function sum(terms: readonly Term[]): string {
  if (terms.length === 0) return '0 dummy';
  const parts = terms.map(([c, v], i) => {
    const sign = c < 0 ? '-' : i === 0 ? '' : '+';
    return `${sign} ${num(Math.abs(c))} ${v}`.trim();
  });
  const lines: string[] = [];
  for (let i = 0; i < parts.length; i += 8) lines.push(parts.slice(i, i + 8).join(' '));
  return lines.join('\n   ');
}

/** The program as LP text: minimise the objective subject to the rows. */
export function toLpText(lp: LinearProgram): string {
  const out = ['Minimize', ` obj: ${sum(lp.objective)}`, 'Subject To'];
  for (const r of lp.rows) out.push(` ${r.name}: ${sum(r.terms)} ${r.op} ${num(r.rhs)}`);
  if (lp.binaries.length > 0) {
    out.push('Binary');
    for (let i = 0; i < lp.binaries.length; i += 10) out.push(` ${lp.binaries.slice(i, i + 10).join(' ')}`);
  }
  out.push('End');
  return out.join('\n') + '\n';
}
