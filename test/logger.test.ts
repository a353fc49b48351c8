import { describe, expect, it } from 'vitest';
import { createLogger, LogLevel } from '../src/logger.js';
import { LogCapture } from './harness/app.js';

function logged(write: (logger: ReturnType<typeof createLogger>) => void, level: 'debug' | 'info' = 'debug') {
  const capture = new LogCapture();
  write(createLogger(level, capture));
  return capture.lines;
}

describe('createLogger', () => {
  it('writes JSON lines with the level by name and an ISO time', () => {
    const [line] = logged((l) => l.warn('Disk nearly full'));
    expect(line).toEqual({ level: 'warn', time: expect.any(String), msg: 'Disk nearly full' });
    expect(Number.isNaN(Date.parse(String(line?.time)))).toBe(false);
  });

  it('turns a plain-object argument into fields of the line', () => {
    const [line] = logged((l) =>
      l.error('Cannot post leads: invite the bot.', {
        code: 'not_in_channel',
        method: 'chat.postMessage',
        channel: 'C0LEADS001',
      }),
    );
    expect(line).toEqual({
      level: 'error',
      time: expect.any(String),
      msg: 'Cannot post leads: invite the bot.',
      code: 'not_in_channel',
      method: 'chat.postMessage',
      channel: 'C0LEADS001',
    });
  });

  it('puts an Error under err with its stack, next to any fields', () => {
    const [line] = logged((l) => l.error('The poster failed', new Error('disk I/O error'), { leadId: 7 }));
    expect(line).toMatchObject({
      level: 'error',
      msg: 'The poster failed',
      leadId: 7,
      err: { type: 'Error', message: 'disk I/O error', stack: expect.stringContaining('disk I/O error') },
    });
    const [alone] = logged((l) => l.error(new Error('only an error')));
    expect(alone?.msg).toBe('only an error');
  });

  it('keeps what cannot be fields in the message: arrays, and objects naming pino’s own keys', () => {
    const lines = logged((l) => {
      l.info('ids', [1, 2]);
      l.info('from a library', { level: 'x', msg: 'y' });
    });
    expect(lines.map((l) => l.msg)).toEqual(['ids [1,2]', 'from a library {"level":"x","msg":"y"}']);
    expect(lines.map((l) => l.level)).toEqual(['info', 'info']);
  });

  it('honours the level and setLevel, as Bolt uses it', () => {
    const capture = new LogCapture();
    const logger = createLogger('info', capture);
    logger.debug('hidden');
    logger.setLevel(LogLevel.DEBUG);
    logger.debug('shown');
    expect(capture.messages()).toEqual(['shown']);
    expect(capture.messages('info')).toEqual([]);
  });
});
