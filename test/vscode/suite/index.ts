import assert from 'node:assert/strict';
import Mocha from 'mocha';
import * as vscode from 'vscode';

/** Runs inside the extension host that @vscode/test-electron starts. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: true });
  mocha.suite.emit('pre-require', globalThis, 'suite', mocha);
  describe('Pullmint in the extension host', () => {
    it('activates and contributes every command in the Pullmint category', async () => {
      const ext = vscode.extensions.getExtension('pullmint.pullmint');
      assert.ok(ext);
      await ext.activate();
      const commands = await vscode.commands.getCommands(true);
      for (const id of [
        'pullmint.reviewWorkingTree',
        'pullmint.reviewPullRequest',
        'pullmint.postReview',
        'pullmint.triggerDeploy',
        'pullmint.checkSetup',
        'pullmint.installPrePushHook',
      ]) {
        assert.ok(commands.includes(id), id);
      }
    });

    it('reviews the working tree with the rules when no model answers, on the exact lines', async () => {
      await vscode.commands.executeCommand('pullmint.reviewWorkingTree');
      const uri = vscode.Uri.file(`${process.env.PULLMINT_TEST_REPO}/a.js`);
      const deadline = Date.now() + 30_000;
      let diags: vscode.Diagnostic[] = [];
      while (Date.now() < deadline && diags.length < 2) {
        diags = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Pullmint');
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.deepEqual(diags.map((d) => [d.range.start.line + 1, d.code, d.severity]).sort(), [
        [2, 'hardcoded-secret', vscode.DiagnosticSeverity.Error],
        [3, 'debugger-statement', vscode.DiagnosticSeverity.Warning],
      ]);
    });
  });
  return new Promise((resolve, reject) =>
    mocha.run((failures) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve())),
  );
}
