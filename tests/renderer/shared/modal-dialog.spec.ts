/** The modal dialog's keyboard handling. */
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import ModalDialog from '../../../renderer/src/shared/modal-dialog.vue';

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
