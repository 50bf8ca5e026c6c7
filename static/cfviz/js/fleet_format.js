/** Number formats of the fleet page: counts in thousands, rates, sizes, "—" for not yet known. */

const COUNT = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
const ONE_DECIMAL = new Intl.NumberFormat("en", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const TWO_DECIMALS = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const known = (value) => value !== null && value !== undefined && Number.isFinite(Number(value));

/** 250,000 */
export function formatCount(value) {
  return known(value) ? COUNT.format(Number(value)) : "—";
}

/** Per-second rates and means: 812.0, or 0.21 below 10 so small rates still read. */
export function formatDecimal(value) {
  if (!known(value)) return "—";
  const number = Number(value);
  return Math.abs(number) < 10 ? TWO_DECIMALS.format(number) : ONE_DECIMAL.format(number);
}

/** Simulated seconds: "812.5 s" */
export function formatSecondsShort(value) {
  return known(value) ? `${formatDecimal(value)} s` : "—";
}

/** A size in MB, in GiB from 10 GiB up, where MB digits stop being readable. */
export function formatMB(mb) {
  if (!known(mb)) return "—";
  return mb >= 10240 ? `${ONE_DECIMAL.format(mb / 1024)} GiB` : `${COUNT.format(mb)} MB`;
}

/** "15.5 of 32.0 GiB (48%)": both in the capacity's unit, so they compare at a glance. */
export function formatUsed(used, capacity) {
  if (!known(capacity) || capacity <= 0) return formatMB(used);
  const percent = `(${Math.round((100 * used) / capacity)}%)`;
  if (capacity < 10240) return `${COUNT.format(used)} of ${COUNT.format(capacity)} MB ${percent}`;
  return `${ONE_DECIMAL.format(used / 1024)} of ${ONE_DECIMAL.format(capacity / 1024)} GiB ${percent}`;
}

/** A difference with its sign: "+588.0", "−12". */
export function formatSigned(value, format = formatDecimal) {
  if (!known(value)) return "—";
  if (Number(value) === 0) return format(0);
  return `${value > 0 ? "+" : "−"}${format(Math.abs(value))}`;
}
