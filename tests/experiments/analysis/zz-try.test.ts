import { it } from 'vitest';
import { trainedLab } from '/work/main/tests/experiments/analysis/helpers';
import { analyzeExperiment } from '/work/main/src/experiments/analysis';
it('try', async () => {
  const lab = await trainedLab((s) => { s.axes = { grid: { initSeed: [0, 1, 2] } }; });
  const r = await analyzeExperiment(lab.store, lab.experimentId, {
    measures: ['linear-cka','debiased-cka','rbf-cka','procrustes','mutual-knn','svcca','pwcca','top1-agreement','jsd','error-consistency','outcome-homogenization','loss-difference','generations','spectra','aligned-weights','weight-trajectory'],
    steps: 'all', onProgress: (p) => console.log(p.phase, p.step, p.fraction.toFixed(2), p.message),
  });
  console.log(JSON.stringify(r, null, 1));
  for (const a of lab.store.analyses.list({experimentId: lab.experimentId}).slice(0, 40)) console.log(a.kind, a.step, JSON.stringify(a.layers), JSON.stringify(a.result).slice(0, 200));
  for (const s of lab.store.samples.list(lab.runIds[0])) console.log(s.step, JSON.stringify(s.prompt), JSON.stringify(s.output), JSON.stringify(s.params));
  const r2 = await analyzeExperiment(lab.store, lab.experimentId, { measures: ['linear-cka','top1-agreement','generations','spectra'], steps: 'all' });
  console.log(r2.created, r2.reused, r2.samplesCreated, r2.ms);
});
