import sqlite3


def connect(path):
    return sqlite3.connect(path)


def find_user(conn, user_id):
    cur = conn.execute("SELECT id, name, email FROM users WHERE id = ?", (user_id,))
    return cur.fetchone()
