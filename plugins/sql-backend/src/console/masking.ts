/** How a masked value is rewritten. */
export type MaskKind = 'phone' | 'idcard' | 'email' | 'regex';

/** A masking rule: by column name, by value, or both. */
export interface MaskingRule {
  name: string;
  kind: MaskKind;
  /** Columns (case-insensitive regex on the result column name) masked entirely. */
  columns?: string;
  /** For kind regex: what to hide inside any value. */
  pattern?: string;
  /** Also hide matches inside values of any column (catches aliases). */
  detectInValues?: boolean;
}

/** Built-in rules; config `opsdeck.sql.masking.rules` adds more. */
export const DEFAULT_MASKING_RULES: MaskingRule[] = [
  {
    name: 'phone',
    kind: 'phone',
    columns: 'phone|mobile|tel',
    detectInValues: true,
  },
  {
    name: 'id-number',
    kind: 'idcard',
    columns: 'id_?card|id_?no|id_?number|ssn',
    detectInValues: true,
  },
  { name: 'email', kind: 'email', columns: 'e?mail', detectInValues: true },
];

const VALUE_PATTERNS: Record<Exclude<MaskKind, 'regex'>, RegExp> = {
  // mainland mobile numbers and international numbers with a +
  phone: /(?<!\d)(?:1[3-9]\d{9}|\+\d{1,3}[ -]?\d{6,12})(?!\d)/g,
  // 18-character resident ID numbers (17 digits and a digit or X)
  idcard: /(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])/g,
  email: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
};

function keepEnds(value: string, head: number, tail: number): string {
  if (value.length <= head + tail) return '*'.repeat(value.length);
  return (
    value.slice(0, head) +
    '*'.repeat(value.length - head - tail) +
    (tail > 0 ? value.slice(-tail) : '')
  );
}

function maskWhole(kind: MaskKind, value: string): string {
  switch (kind) {
    case 'phone':
      return keepEnds(value, 3, 4);
    case 'idcard':
      return keepEnds(value, 3, 4);
    case 'email': {
      const at = value.indexOf('@');
      return at > 0
        ? `${value[0]}***${value.slice(at)}`
        : keepEnds(value, 1, 0);
    }
    default:
      return '*'.repeat(Math.min(value.length, 8));
  }
}

function valuePattern(rule: MaskingRule): RegExp | undefined {
  if (rule.kind === 'regex') return new RegExp(rule.pattern ?? '$^', 'g');
  return rule.detectInValues ? VALUE_PATTERNS[rule.kind] : undefined;
}

/** Compiled rules, applied to query results. */
export class Masker {
  private readonly rules: {
    rule: MaskingRule;
    columns?: RegExp;
    values?: RegExp;
  }[];

  constructor(rules: MaskingRule[]) {
    this.rules = rules.map(rule => ({
      rule,
      columns: rule.columns
        ? new RegExp(`^(?:${rule.columns})$`, 'i')
        : undefined,
      values: valuePattern(rule),
    }));
  }

  /** The rule that masks a column of this name entirely, if any. */
  ruleForColumn(name: string): MaskingRule | undefined {
    return this.rules.find(r => r.columns?.test(name))?.rule;
  }

  /** Whether any rule masks columns by name (lineage needs them). */
  get hasColumnRules(): boolean {
    return this.rules.some(r => r.columns);
  }

  /**
   * Masks rows; returns new rows and which columns were masked. `derived`
   * (by result column) masks a column entirely with that rule: a column
   * computed from a masked column (data lineage).
   */
  apply(
    columns: string[],
    rows: (string | null)[][],
    derived: (MaskingRule | undefined)[] = [],
  ) {
    const whole = columns.map(
      (c, i) =>
        this.rules.find(r => r.columns?.test(c)) ??
        (derived[i] ? { rule: derived[i]! } : undefined),
    );
    const masked = new Set<string>();
    const out = rows.map(row =>
      row.map((value, i) => {
        if (value === null) return value;
        const byColumn = whole[i];
        if (byColumn) {
          masked.add(columns[i]);
          return maskWhole(byColumn.rule.kind, value);
        }
        let text = value;
        for (const r of this.rules) {
          if (!r.values) continue;
          r.values.lastIndex = 0;
          const next = text.replace(r.values, m => maskWhole(r.rule.kind, m));
          if (next !== text) masked.add(columns[i]);
          text = next;
        }
        return text;
      }),
    );
    return { rows: out, maskedColumns: [...masked] };
  }

  /**
   * Masks values inside free text (error messages, notifications): the
   * value rules everywhere, and with `quoted` every quoted value too (an
   * error about a masked column may quote the value it choked on).
   */
  maskText(text: string, quoted = false): string {
    let out = text;
    for (const r of this.rules) {
      if (!r.values) continue;
      r.values.lastIndex = 0;
      out = out.replace(r.values, m => maskWhole(r.rule.kind, m));
    }
    if (quoted) {
      out = out
        .replace(/"[^"]*"/g, '"***"')
        .replace(/'[^']*'/g, "'***'")
        .replace(/\(([^()]*)\)=\(([^()]*)\)/g, '($1)=(***)');
    }
    return out;
  }
}
