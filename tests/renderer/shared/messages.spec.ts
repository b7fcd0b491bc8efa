/** Messages for people: issues and reasons in the user's language, errors without stack traces. */
import { afterEach, describe, expect, it } from 'vitest';
import { issueText, reasonText, stripStack } from '../../../renderer/src/shared/messages';
import { setLocale } from '../../../renderer/src/i18n';

afterEach(() => setLocale('en'));

describe('messages', () => {
  it('says an issue by its code in the user’s language, else as the API wrote it', () => {
    const issue = {
      code: 'not_divisible',
      params: { dModel: 16, nHeads: 3 },
      message: 'd_model must be divisible by the number of heads: 16 is not divisible by 3',
    };
    expect(issueText(issue)).toBe(issue.message);
    setLocale('zh-CN');
    expect(issueText(issue)).toBe('d_model 必须能被注意力头数整除：16 不能被 3 整除');
    expect(issueText({ code: 'something_new', message: 'as written' })).toBe('as written');
    expect(reasonText({ code: 'queue', message: '', params: { name: 'A', ahead: 0 } })).toBe(
      '等待“A”训练完成',
    );
  });

  it('drops stack frames and source paths from an error', () => {
    const raw = [
      'RangeError: Invalid typed array length: 40000000000',
      '    at new Float32Array (<anonymous>)',
      '    at makeParams (/work/src/core/model/transformer.ts:120:11)',
      '    at async train (file:///work/src/x.ts:3:5)',
    ].join('\n');
    expect(stripStack(raw)).toBe('RangeError: Invalid typed array length: 40000000000');
  });
});
