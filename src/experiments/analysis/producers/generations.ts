/**
 * Side-by-side generations at one step: every run continues the same prompts (the first probe
 * rows), greedily and by seeded sampling, stored as samples under the group's key.
 */
import { stackedModel } from '../activations';
import { generate, promptsFromRows } from '../generate';
import { groupByConfig, type StepData } from '../session';
import { nothing, type StepProducer } from './producer';

export const generations: StepProducer = {
  name: 'generations',
  prepare(at: StepData) {
    const s = at.session;
    if (!s.plan.generations) return nothing();
    const gen = s.generation;
    const key = s.keyOf('generations', 'samples', at.step, [], gen);
    const todo = at.here.filter(
      (m) => !s.store.samples.list(m.run.id, { step: at.step }).some((x) => x.params.key === key),
    );
    if (!todo.length) return nothing(1);
    return {
      reused: 0,
      run: async () => {
        const weights = await at.weights();
        const { step, ids, here } = at;
        s.progress(
          'generations',
          step,
          at.frac(0.75),
          `step ${step}: generations for ${todo.length} runs`,
        );
        await s.time('generations', async () => {
          const { probe } = s;
          const prompts = promptsFromRows(
            probe.batch.inputs,
            probe.batch.weights,
            s.T,
            Math.min(gen.prompts, probe.batch.batchSize),
            probe.padId,
          );
          if (!prompts.length) return;
          const want = new Set(todo.map((m) => m.run.id));
          for (const idx of groupByConfig(here)) {
            const members = idx.filter((i) => want.has(ids[i]));
            if (!members.length) continue;
            const model = stackedModel(
              here[members[0]].config,
              members.map((i) => weights[i]),
            );
            try {
              // Greedy and sampled continuations of every prompt as rows of one batch.
              const P = prompts.length;
              const out = await generate(model, [...prompts, ...prompts], {
                padId: probe.padId,
                stopId: probe.padId,
                maxNewTokens: gen.maxNewTokens,
                mode: [
                  ...prompts.map(() => 'greedy' as const),
                  ...prompts.map(() => 'sample' as const),
                ],
                temperature: gen.temperature,
                seed: gen.seed,
                streams: members.map((i) => ids[i]),
              });
              const byMode = {
                greedy: out.map((rows) => rows.slice(0, P)),
                sample: out.map((rows) => rows.slice(P)),
              };
              const decode = (t: Parameters<typeof s.dataset.tokenizer.decode>[0]) =>
                s.dataset.tokenizer.decode(t);
              s.store.transaction(() => {
                members.forEach((i, k) =>
                  prompts.forEach((p, b) => {
                    for (const mode of ['greedy', 'sample'] as const) {
                      s.store.samples.create({
                        runId: ids[i],
                        step,
                        prompt: decode(p),
                        output: decode(byMode[mode][k][b]),
                        params: {
                          key,
                          mode,
                          temperature: mode === 'greedy' ? 0 : gen.temperature,
                          seed: mode === 'greedy' ? null : gen.seed,
                          maxNewTokens: gen.maxNewTokens,
                          probe: probe.hash,
                          promptIndex: b,
                        },
                      });
                      s.result.samplesCreated++;
                    }
                  }),
                );
              });
            } finally {
              model.dispose();
            }
          }
        });
      },
    };
  },
};
