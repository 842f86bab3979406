import assert from 'node:assert/strict';
import { runRules } from '../../src/core/rules/index.js';
import { findSecrets, redactSecrets } from '../../src/core/rules/secrets.js';
import { addedFile } from '../helpers/diff.js';

const ids = (path: string, lines: string[]) => runRules([addedFile(path, lines)]).map((f) => [f.rule, f.line]);

describe('rules', () => {
  it('finds hard-coded secrets of each kind', () => {
    const lines = [
      'const aws = "AKIAIOSFODNN7EXAMPLE";',
      'token: ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'SLACK=xoxb-123456789012-abcdefghijkl',
      '-----BEGIN RSA PRIVATE KEY-----',
      'db_password = "h7Gk2pQz9LmX4vBn"',
    ];
    const found = runRules([addedFile('src/config.ts', lines)]);
    assert.deepEqual(
      found.map((f) => f.line),
      [1, 2, 3, 4, 5],
    );
    assert.ok(found.every((f) => f.rule === 'hardcoded-secret' && f.severity === 'critical' && f.origin === 'rule'));
  });

  it('does not flag placeholders, env lookups or low-entropy values', () => {
    assert.deepEqual(
      ids('a.ts', [
        'password = process.env.DB_PASSWORD',
        'const token = "changeme"',
        'apiKey: "xxxxxxxxxxxxxxxx"',
        'secret = getSecret()',
        'password = "aaaaaaaaaaaaaaaa"',
      ]),
      [],
    );
  });

  it('finds conflict markers, .only in tests (not elsewhere), and debugger statements', () => {
    assert.deepEqual(ids('a.ts', ['<<<<<<< HEAD', 'x', '=======', '>>>>>>> feature']), [
      ['merge-conflict-marker', 1],
      ['merge-conflict-marker', 3],
      ['merge-conflict-marker', 4],
    ]);
    assert.deepEqual(ids('src/a.test.ts', ['it.only("x", () => {})', 'describe.only("y", f)']), [
      ['exclusive-test', 1],
      ['exclusive-test', 2],
    ]);
    assert.deepEqual(ids('src/lib.ts', ['list.only(x)', 'it.only("x")']), []);
    assert.deepEqual(ids('a.js', ['  debugger;', '// debugger;', 'const debuggerEnabled = true;']), [['debugger-statement', 1]]);
  });

  it('offers a fix for .only and can be switched off per rule', () => {
    const [f] = runRules([addedFile('x.spec.ts', ['  it.only("works", fn);'])]);
    assert.equal(f.suggestion, '  it("works", fn);');
    assert.equal(runRules([addedFile('x.spec.ts', ['  it.only("works", fn);'])], { 'exclusive-test': false }).length, 0);
  });

  it('redacts secrets and keeps the rest of the line', () => {
    const r = redactSecrets('const k = "AKIAIOSFODNN7EXAMPLE"; // aws');
    assert.equal(r.text, 'const k = "[REDACTED]"; // aws');
    assert.equal(r.redacted, 1);
  });

  describe('secrets corpus', () => {
    /** Lines that hold a secret, and the part of each that is the secret. */
    const TRUE_POSITIVES: [string, string][] = [
      ['const url = "postgres://admin:S3cr3tP4ssw0rdXyZ@db/app";', 'S3cr3tP4ssw0rdXyZ'],
      ['DATABASE_URL=mysql://root:hunter2rocks@10.0.0.5:3306/shop', 'hunter2rocks'],
      ["redis.connect('redis://:Zx81pQ7vLw2@cache:6379')", 'Zx81pQ7vLw2'],
      ['  amqp: "amqps://svc:p%40ss-W0rd-9q@mq.internal/vhost"', 'p%40ss-W0rd-9q'],
      ['const JWT_SECRET = process.env.JWT || "k9Fq2LmZ8pR4tW7xB3nV6cY1";', 'k9Fq2LmZ8pR4tW7xB3nV6cY1'],
      ["const signingKey = config.get('hmac') ?? 'Qm9vbGVhbkxvZ2ljMTIzNDU2Nzg5';", 'Qm9vbGVhbkxvZ2ljMTIzNDU2Nzg5'],
      ['token = os.getenv("API_TOKEN", "a8F3kL9qZ2xW7vB1nM4tR6yP")', 'a8F3kL9qZ2xW7vB1nM4tR6yP'],
      ['db_password = "h7Gk2pQz9LmX4vBn"', 'h7Gk2pQz9LmX4vBn'],
      ['API_KEY=q8Zr3Lm9Xv2Kp7Wn4Bt6', 'q8Zr3Lm9Xv2Kp7Wn4Bt6'],
      ['const k = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z";', 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'],
      ['maps: AIzaSyD3x4mPl3K3yF0rT3st1ngOnlyXyZ12345', 'AIzaSyD3x4mPl3K3yF0rT3st1ngOnlyXyZ12345'],
      ['GITLAB=glpat-Xy9zAb3dEf6hIj9kLm2n', 'glpat-Xy9zAb3dEf6hIj9kLm2n'],
      ['curl -H "Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddcc"', '9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddcc'],
      [
        'SESSION_TOKEN=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
        'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
      ],
      ['"private_key_id": "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",', '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b'],
      [
        '  "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n",',
        '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----',
      ],
    ];
    /** Lines that look secret-ish and are not. */
    const FALSE_POSITIVES = [
      'const u = "postgres://user:${DB_PASS}@db/app";',
      'const u = "https://user:password@example.com";',
      'const u = `mongodb://${user}:${pass}@${host}/db`;',
      'git clone ssh://git@github.com:22/org/repo.git',
      'const proxy = "http://proxy.local:3128";',
      'const tokenType = "Bearer";',
      'const passwordField = "passwordConfirmation";',
      'const apiKeyHeader = "X-Api-Key";',
      'const secretName = "prod/db/password";',
      'const SECRET_ENV = "JWT_SIGNING_SECRET_2024";',
      'import { authMiddleware } from "./middleware/auth-v2";',
      'const tokenUrl = "https://oauth.example.com/token";',
      'const sessionCookie = "session-id-cookie-name";',
      'const JWT = process.env.JWT_SECRET;',
      'const authorName = "Jane Doe";',
      'password = process.env.DB_PASSWORD',
      'const tokenPattern = /[A-Za-z0-9]{32}/;',
      'const secretFile = "./config/secrets.enc.yaml";',
      '// the token is rotated by scripts/rotate-2024-01.sh',
      'const passwordInput = document.querySelector("#login-form input[type=password]");',
      'const authToken = req.headers.authorization?.split(" ")[1];',
      'a.promptTokens=e.usage.input_tokens,a.completionTokens=e.usage.output_tokens;',
      'const secretKey = crypto.randomBytes(32).toString("hex");',
      'headers: { Authorization: `Bearer ${token}` },',
      'return{contextTokens:this.numCtx-this.opts.outputReserve,promptTokens:s.input+s.cacheRead+s.cacheWrite}',
      'G9="urn:ietf:params:oauth:grant-type:jwt-bearer",g$="/v1/oauth/token",Nc="oauth-2025-04-20"',
      'Object.defineProperty(Jr,"__esModule",{value:!0});Jr.Minipass=Jr.isWritable=Jr.isReadable=Jr.isStream=void 0;',
      `headers:{"x-hmac-signature":sig},body:JSON.stringify({model,messages}),${'x'.repeat(60)}headers:$([{"anthropic-beta":[...n??[],"managed-agents-2026-04-01"]`,
    ];

    it('finds each true positive, on the secret itself', () => {
      for (const [line, secret] of TRUE_POSITIVES) {
        const found = findSecrets(line).map((m) => line.slice(m.start, m.end));
        assert.ok(found.includes(secret), `${line}: found ${JSON.stringify(found)}`);
        assert.ok(!redactSecrets(line).text.includes(secret), `${line}: redacted`);
        assert.equal(runRules([addedFile('src/x.js', [line])]).length, 1, `${line}: one rule finding`);
      }
    });

    it('flags none of the false positives', () => {
      for (const line of FALSE_POSITIVES) assert.deepEqual(findSecrets(line), [], line);
    });
  });
});
