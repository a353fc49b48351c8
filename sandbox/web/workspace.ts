import { EventEmitter } from 'node:events';
import { leadIdFromPromptBlock } from '../../src/slack/blocks/rejectReason.js';
import type { FakeSlack, RecordedCall } from '../fake-slack.js';

/**
 * What a Slack client would keep on screen besides the channels the fake already stores: the
 * ephemerals each user sees (and the response_url that can replace or delete them), the modal
 * each user has open, and the answers to each user's slash commands. Fed by the fake's call and
 * response_url listeners, so it only ever shows what the bot really sent.
 */

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type Area = 'leads' | 'digest' | 'modal' | 'command';

export interface Ephemeral {
  id: string;
  user: string;
  channel: string;
  text: string;
  blocks: unknown[] | undefined;
  /** The response_url tag its actions carry: what the bot posts there replaces or deletes it. */
  tag: string;
  /** The lead a reason prompt is about, kept when the bot replaces the prompt with a thank-you. */
  leadId: number | undefined;
}

export interface OpenModal {
  viewId: string;
  view: Json;
  errors: Record<string, string>;
}

export interface CommandReply {
  /** `ack` (the synchronous answer) or `response` (posted to the response_url later). */
  via: 'ack' | 'response';
  text: string;
  blocks: unknown[] | undefined;
  inChannel: boolean;
}

export interface CommandRun {
  tag: string;
  user: string;
  command: string;
  replies: CommandReply[];
}

export class Workspace {
  private readonly changes = new EventEmitter<{ change: [Area] }>();
  private readonly ephemeralList: Ephemeral[] = [];
  private readonly modals = new Map<string, OpenModal>();
  private readonly triggers = new Map<string, string>();
  private readonly commandRuns = new Map<string, CommandRun>();
  /** Uploaded file id → the ts of the message it follows in its channel (files carry no ts). */
  private readonly fileAfter = new Map<string, string>();
  private counter = 0;
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly fake: FakeSlack,
    private readonly channels: { leads: string; digest: readonly string[] },
  ) {
    this.changes.setMaxListeners(0);
    this.unsubscribe = [
      fake.onCall((call) => this.onCall(call)),
      fake.onResponse((response) => this.onResponse(response.tag, response.body)),
    ];
  }

  close(): void {
    for (const off of this.unsubscribe) off();
    this.changes.removeAllListeners();
  }

  onChange(listener: (area: Area) => void): () => void {
    this.changes.on('change', listener);
    return () => this.changes.off('change', listener);
  }

  private emit(area: Area): void {
    this.changes.emit('change', area);
  }

  /** Something outside the bot's calls changed an area (a person's reaction, a command sent). */
  touch(area: Area): void {
    this.emit(area);
  }

  channelChanged(channel: string): void {
    const area = this.areaOf(channel);
    if (area) this.emit(area);
  }

  /** A fresh trigger_id for a click by `user`: a views.open carrying it opens that user's modal. */
  trigger(user: string): string {
    this.counter += 1;
    const id = `${this.counter}.${Date.now()}.sandbox`;
    this.triggers.set(id, user);
    // Slack's trigger_id lives 3 seconds; a few hundred recent ones are plenty to remember.
    if (this.triggers.size > 500) this.triggers.delete(this.triggers.keys().next().value as string);
    return id;
  }

  nextTag(prefix: 'eph' | 'cmd'): string {
    this.counter += 1;
    return `${prefix}${this.counter}`;
  }

  ephemerals(user: string, channel?: string): Ephemeral[] {
    return this.ephemeralList.filter(
      (e) => e.user === user && (channel === undefined || e.channel === channel),
    );
  }

  ephemeral(id: string): Ephemeral | undefined {
    return this.ephemeralList.find((e) => e.id === id);
  }

  modal(user: string): OpenModal | undefined {
    return this.modals.get(user);
  }

  closeModal(user: string): void {
    if (this.modals.delete(user)) this.emit('modal');
  }

  showModalErrors(user: string, errors: Record<string, string>): void {
    const modal = this.modals.get(user);
    if (!modal) return;
    modal.errors = errors;
    this.emit('modal');
  }

  replaceModalView(user: string, view: Json): void {
    const modal = this.modals.get(user);
    if (!modal) return;
    modal.view = view;
    modal.errors = {};
    this.emit('modal');
  }

  startCommand(user: string, command: string): CommandRun {
    const run: CommandRun = { tag: this.nextTag('cmd'), user, command, replies: [] };
    // One visible answer per user, as in Slack's composer area: the latest command replaces it.
    for (const [tag, old] of this.commandRuns) if (old.user === user) this.commandRuns.delete(tag);
    this.commandRuns.set(run.tag, run);
    return run;
  }

  addCommandReply(tag: string, reply: CommandReply): void {
    const run = this.commandRuns.get(tag);
    if (!run) return;
    run.replies.push(reply);
    this.emit('command');
  }

  command(user: string): CommandRun | undefined {
    return [...this.commandRuns.values()].find((r) => r.user === user);
  }

  fileAfterTs(fileId: string): string | undefined {
    return this.fileAfter.get(fileId);
  }

  private areaOf(channel: unknown): Area | undefined {
    if (channel === this.channels.leads) return 'leads';
    if (typeof channel === 'string' && this.channels.digest.includes(channel)) return 'digest';
    return undefined;
  }

  private onCall(call: RecordedCall): void {
    const response = isRecord(call.response) ? call.response : {};
    if (call.status !== 200 || response.ok !== true) return;
    const args = call.args;
    switch (call.method) {
      case 'chat.postMessage':
      case 'chat.update':
      case 'chat.delete': {
        const area = this.areaOf(response.channel ?? args.channel);
        if (area) this.emit(area);
        return;
      }
      case 'chat.postEphemeral': {
        const channel = String(args.channel ?? '');
        const blocks = Array.isArray(args.blocks) ? args.blocks : [];
        const leadId = blocks
          .map((b) =>
            leadIdFromPromptBlock(isRecord(b) && typeof b.block_id === 'string' ? b.block_id : undefined),
          )
          .find((id) => id !== undefined);
        this.ephemeralList.push({
          id: String(response.message_ts ?? this.nextTag('eph')),
          user: String(args.user ?? ''),
          channel,
          text: typeof args.text === 'string' ? args.text : '',
          blocks: Array.isArray(args.blocks) ? args.blocks : undefined,
          tag: this.nextTag('eph'),
          leadId,
        });
        this.emit(this.areaOf(channel) ?? 'leads');
        return;
      }
      case 'views.open':
      case 'views.push': {
        const user = this.triggers.get(String(args.trigger_id ?? ''));
        const view = isRecord(response.view) ? response.view : undefined;
        if (!user || !view) return;
        this.modals.set(user, { viewId: String(view.id), view, errors: {} });
        this.emit('modal');
        return;
      }
      case 'views.update': {
        const view = isRecord(response.view) ? response.view : undefined;
        if (!view) return;
        for (const [user, modal] of this.modals) {
          if (modal.viewId === view.id) this.replaceModalView(user, view);
        }
        return;
      }
      case 'files.completeUploadExternal': {
        const channel = String(args.channel_id ?? '');
        const last = this.fake.messages(channel).at(-1)?.ts ?? '0';
        const files = Array.isArray(response.files) ? response.files : [];
        for (const f of files) if (isRecord(f)) this.fileAfter.set(String(f.id), last);
        const area = this.areaOf(channel);
        if (area) this.emit(area);
        return;
      }
      default:
        return;
    }
  }

  private onResponse(tag: string, body: Json): void {
    if (tag.startsWith('cmd')) {
      this.addCommandReply(tag, {
        via: 'response',
        text: typeof body.text === 'string' ? body.text : '',
        blocks: Array.isArray(body.blocks) ? body.blocks : undefined,
        inChannel: body.response_type === 'in_channel',
      });
      return;
    }
    const index = this.ephemeralList.findIndex((e) => e.tag === tag);
    const target = this.ephemeralList[index];
    if (!target) return;
    if (body.delete_original === true) {
      this.ephemeralList.splice(index, 1);
    } else if (body.replace_original === true) {
      target.text = typeof body.text === 'string' ? body.text : '';
      target.blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    } else {
      return;
    }
    this.emit(this.areaOf(target.channel) ?? 'leads');
  }
}
