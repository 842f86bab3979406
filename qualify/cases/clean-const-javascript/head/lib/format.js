/**
 * A price in cents as "12.05 EUR".
 * @param {number} cents a non-negative whole number of cents
 * @param {string} currency an ISO 4217 code
 */
function formatPrice(cents, currency) {
  const units = Math.floor(cents / 100);
  const rest = String(cents % 100).padStart(2, '0');
  return `${units}.${rest} ${currency}`;
}

module.exports = { formatPrice };
