/**
 * The lab's version, read from package.json in this one place: the CLI's `--version`, the
 * versions recorded with every run, bundle producers and the About data all use it.
 */
import pkg from '../../package.json' with { type: 'json' };

export const APP_VERSION: string = pkg.version;
