const express = require('express');
const db = require('../db');

const router = express.Router();

router.delete('/users/:id', async (req, res) => {
  const id = req.params.id;
  await db.users.remove(id);
  res.status(204).end();
});

module.exports = router;
