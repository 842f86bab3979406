const path = require('path');

const UPLOADS = path.join(__dirname, '..', 'uploads');

function thumbnailPath(file) {
  return path.join(UPLOADS, 'thumbs', path.basename(file));
}

module.exports = { thumbnailPath };
