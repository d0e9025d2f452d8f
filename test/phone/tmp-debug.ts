import { createMiniWorld, waitFor } from './mini-world';
async function main() {
  const w = await createMiniWorld('dbg');
  try {
    const t0 = Date.now();
    const p = await w.startPhone({ name: 'mtph-dbg-a', netns: w.ns.phoneA, adbPort: 5796, apps: ['threema', 'whatsapp', 'textsecure', 'wechat'], peer: 'x' });
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      console.log(Date.now() - t0, JSON.stringify(['threema', 'whatsapp', 'textsecure', 'wechat'].map((a) => p.appStatus(a as never))));
      if (['threema', 'whatsapp', 'textsecure', 'wechat'].every((a) => p.appStatus(a as never)?.state === 'connected')) break;
    }
    void waitFor;
  } finally { await w.destroy(); }
}
main().catch((e) => { console.error(e); process.exit(1); });
