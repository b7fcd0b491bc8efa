/** Trickier components: heatmap values by keyboard, modal keyboard handling, delete confirmation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import HeatMap from '../../renderer/src/components/heat-map.vue';
import ModalDialog from '../../renderer/src/components/modal-dialog.vue';
import ExperimentsView from '../../renderer/src/views/experiments-view.vue';
import { setClient } from '../../renderer/src/transport';
import { getPreset } from '../../src/experiments/spec/presets';
import { realLab } from './real-lab';

let env: ReturnType<typeof realLab>;
beforeAll(() => {
  env = realLab();
  setClient(env.client);
});
afterAll(() => env.dispose());

describe('HeatMap', () => {
  it('shows the value of the cell under the keyboard cursor', async () => {
    const w = mount(HeatMap, {
      props: {
        rowLabels: ['A', 'B'],
        colLabels: ['A', 'B'],
        values: [
          [1, 0.25],
          [0.25, 1],
        ],
        description: 'cka',
      },
    });
    const canvas = w.find('canvas');
    await canvas.trigger('keydown', { key: 'ArrowRight' });
    expect(w.find('[data-testid="heatmap-value"]').text()).toBe('A × A: 1');
    await canvas.trigger('keydown', { key: 'ArrowRight' });
    expect(w.find('[data-testid="heatmap-value"]').text()).toBe('A × B: 0.25');
    expect(w.find('.heatmap').attributes('data-filled')).toBe('4');
  });
});

describe('ModalDialog', () => {
  it('confirms with Enter in a line input and cancels with Escape', async () => {
    const w = mount(ModalDialog, {
      props: { title: 'Rename', input: 'line', initial: 'old' },
      attachTo: document.body,
    });
    const input = w.find('input');
    await input.setValue('new name');
    await input.trigger('keydown', { key: 'Enter' });
    expect(w.emitted('confirm')).toEqual([['new name']]);
    await w.find('.modal-backdrop').trigger('keydown', { key: 'Escape' });
    expect(w.emitted('cancel')).toHaveLength(1);
    w.unmount();
  });
});

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
    const del = w.findAll('button').find((b) => b.text() === 'Delete')!;
    await del.trigger('click');
    expect(w.find('[role="dialog"]').text()).toContain('“To delete”');
    expect((await env.client.call('listExperiments', {})).length).toBe(1);
    await w.find('[data-testid="modal-confirm"]').trigger('click');
    await flushPromises();
    expect((await env.client.call('listExperiments', {})).length).toBe(0);
    expect(w.text()).toContain('No experiments yet');
    w.unmount();
  });
});
