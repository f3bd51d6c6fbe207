/** How `usage`, `status` and `doctor` write the windows, the key's spend and the token table for people. */
import type { KeySpend } from './gateway-key.js';
import type { Quota, QuotaWindow } from './quota.js';
import type { TokenReport } from './sessions.js';

const BAR_WIDTH = 20;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const WINDOW_LABEL: Record<QuotaWindow['name'], string> = { '5h': '5-hour', weekly: 'weekly' };

/** `[████████░░░░░░░░░░░░]` for 42 %. */
export function bar(percent: number, width = BAR_WIDTH): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/** "in 2 h 13 min", "in 3 d 4 h", "in 12 min", "now" (minutes rounded up). */
export function untilText(target: Date, now: Date): string {
  const minutes = Math.ceil((target.getTime() - now.getTime()) / 60_000);
  if (minutes <= 0) return 'now';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `in ${days} d${hours ? ` ${hours} h` : ''}`;
  if (hours > 0) return `in ${hours} h${mins ? ` ${mins} min` : ''}`;
  return `in ${mins} min`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local time: "10:13" today, "Wed 9 Dec 08:00" on another day. */
export function clockText(date: Date, now: Date): string {
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const sameDay = date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth() && date.getDate() === now.getDate();
  return sameDay ? time : `${WEEKDAYS[date.getDay()]} ${date.getDate()} ${MONTHS[date.getMonth()]} ${time}`;
}

export function resetText(resetsAt: Date | null, now: Date): string {
  return resetsAt ? `resets ${clockText(resetsAt, now)} (${untilText(resetsAt, now)})` : 'no reset time given';
}

export function percentText(percent: number): string {
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)}%`;
}

export function quotaLines(quota: Quota, now: Date): string[] {
  return [
    `GLM Coding Plan${quota.plan ? ` (${quota.plan})` : ''}, from Z.ai's quota API:`,
    ...quota.windows.map((w) => `  ${WINDOW_LABEL[w.name].padEnd(7)} ${bar(w.usedPercent)} ${percentText(w.usedPercent).padStart(4)} used   ${resetText(w.resetsAt, now)}`),
  ];
}

/** One line for `status`: "GLM Coding Plan (pro): 5-hour 42% used, weekly 17% used". */
export function quotaSummary(quota: Quota): string {
  return `GLM Coding Plan${quota.plan ? ` (${quota.plan})` : ''}: ${quota.windows.map((w) => `${WINDOW_LABEL[w.name]} ${percentText(w.usedPercent)} used`).join(', ')}`;
}

const dollars = (n: number) => `$${n.toFixed(2)}`;

export function keySpendLines(key: KeySpend, now: Date): string[] {
  const name = key.keyAlias ? ` (${key.keyAlias})` : '';
  if (key.maxBudget === null) return [`Your gateway key${name}: ${dollars(key.spend)} spent, no budget set.`];
  const percent = key.maxBudget > 0 ? Math.min(100, (key.spend / key.maxBudget) * 100) : 100;
  const period = key.budgetDuration ? ` per ${key.budgetDuration}` : '';
  const reset = key.budgetResetAt ? `   ${resetText(key.budgetResetAt, now)}` : '';
  return [`Your gateway key${name}:`, `  budget  ${bar(percent)} ${dollars(key.spend)} of ${dollars(key.maxBudget)}${period}${reset}`];
}

const thousands = (n: number) => n.toLocaleString('en-US');

export function tokenLines(report: TokenReport, where: string): string[] {
  const head = `Tokens Codex spent on GLM, last ${report.days} day${report.days === 1 ? '' : 's'} (since ${report.since}), from ${where}:`;
  if (report.byDay.length === 0) return [head, '  none: no Codex session through this setup in that time.'];
  const header = ['date', 'model', 'input', 'cached', 'output', 'reasoning', 'total', 'sessions'];
  const rows = report.byDay.map((r) => [r.date, r.model, ...[r.input, r.cachedInput, r.output, r.reasoning, r.total, r.sessions].map(thousands)]);
  const t = report.total;
  const total = ['total', '', ...[t.input, t.cachedInput, t.output, t.reasoning, t.total, t.sessions].map(thousands)];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length), total[i]!.length));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`.trimEnd();
  return [head, line(header), ...rows.map(line), line(widths.map((w) => '-'.repeat(w))), line(total)];
}
