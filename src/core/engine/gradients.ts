/**
 * `@tensorflow/tfjs-core` ships no gradient definitions; the union package `@tensorflow/tfjs`
 * registers them (for every op) as a side effect of being loaded. Import this module anywhere
 * gradients are taken. It also silences tfjs's "install tfjs-node" console banner, which is
 * noise for a lab that chooses its backend deliberately.
 */
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';

tf.env().set('PROD', true);
