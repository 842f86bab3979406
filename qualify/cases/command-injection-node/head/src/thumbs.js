const path = require('path');
const { exec } = require('child_process');

const UPLOADS = path.join(__dirname, '..', 'uploads');

function thumbnailPath(file) {
  return path.join(UPLOADS, 'thumbs', path.basename(file));
}

function makeThumbnail(req, res) {
  const file = req.query.file;
  exec(`convert ${UPLOADS}/${file} -resize 128x128 ${thumbnailPath(file)}`, (err) => {
    if (err) return res.status(500).send('conversion failed');
    res.sendFile(thumbnailPath(file));
  });
}

module.exports = { thumbnailPath, makeThumbnail };
