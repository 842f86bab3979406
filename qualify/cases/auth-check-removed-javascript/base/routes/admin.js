const express = require('express');
const db = require('../db');

const router = express.Router();

router.delete('/users/:id', async (req, res) => {
  if (!req.user || !req.user.isAdmin) {
    return res.status(403).json({ error: 'forbidden' });
  }
  await db.users.remove(req.params.id);
  res.status(204).end();
});

module.exports = router;
