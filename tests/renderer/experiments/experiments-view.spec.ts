/** The experiments list over a real lab: deleting asks first. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import ExperimentsView from '../../../renderer/src/experiments/experiments-view.vue';
import { setClient } from '../../../renderer/src/transport';
import { getPreset } from '../../../src/experiments/spec/presets';
import { realLab } from '../real-lab';

let env: ReturnType<typeof realLab>;
beforeAll(() => {
  env = realLab();
  setClient(env.client);
});
afterAll(() => env.dispose());

describe('ExperimentsView', () => {
  it('deletes an experiment only after confirmation', async () => {
    await env.client.call('createExperiment', {
      name: 'To delete',
      spec: getPreset('seed-sweep').spec('tiny') as Record<string, unknown>,
      start: false,
    });
    setActivePinia(createPinia());
    const w = mount(ExperimentsView, { attachTo: document.body });
    await flushPromises();
    expect(w.text()).toContain('To delete');
    await w.find('[data-testid="experiment-more"]').trigger('click');
    await w.find('[data-menu-item="delete"]').trigger('click');
    expect(w.find('[role="dialog"]').text()).toContain('“To delete”');
    expect((await env.client.call('listExperiments', {})).length).toBe(1);
    await w.find('[data-testid="modal-confirm"]').trigger('click');
    await flushPromises();
    expect((await env.client.call('listExperiments', {})).length).toBe(0);
    expect(w.text()).toContain('No experiments yet');
    w.unmount();
  });
});
