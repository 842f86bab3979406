function formatPrice(cents, currency) {
  let units = Math.floor(cents / 100);
  let rest = String(cents % 100).padStart(2, '0');
  return `${units}.${rest} ${currency}`;
}

module.exports = { formatPrice };
