/** The heatmap shows the value under the keyboard cursor. */
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import HeatMap from '../../../renderer/src/similarity/heat-map.vue';

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
