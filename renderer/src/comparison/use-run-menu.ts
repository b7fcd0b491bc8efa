/**
 * The run rows' context menu (right-click, Shift+F10 or the menu key): where it opens and for
 * which run. Keyboard-opened menus have no pointer position, so they anchor to the row.
 */
import { ref } from 'vue';

export interface RunMenu {
  x: number;
  y: number;
  experimentId: number;
  runName: string;
}

export function useRunMenu() {
  const menu = ref<RunMenu | null>(null);
  function openMenu(e: MouseEvent, r: { experimentId: number; name: string }) {
    const box = (e.currentTarget as HTMLElement).getBoundingClientRect();
    const keyboard = e.clientX === 0 && e.clientY === 0;
    menu.value = {
      x: keyboard ? box.left + 24 : e.clientX,
      y: keyboard ? box.bottom : e.clientY,
      experimentId: r.experimentId,
      runName: r.name,
    };
  }
  return { menu, openMenu };
}
