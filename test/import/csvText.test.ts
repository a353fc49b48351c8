import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvFormatError } from '../../src/errors.js';
import { type CsvLayout, type CsvRow, detectDelimiter, readCsv } from '../../src/import/csvText.js';

/** Reads `bytes` (in chunks of `chunkSize`), returning the layout and every row; counts the openings. */
async function readAll(bytes: Buffer, chunkSize = 7) {
  let openings = 0;
  const open = () => {
    openings += 1;
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
    return Readable.from(chunks);
  };
  const result = await readCsv(open, () => {
    const rows: CsvRow[] = [];
    return {
      header() {},
      row(row) {
        rows.push(row);
      },
      finish(layout: CsvLayout) {
        return { layout, rows };
      },
    };
  });
  return { ...result, openings };
}

const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
const utf16be = (text: string) => {
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.alloc(le.length);
  for (let i = 0; i < le.length; i += 2) {
    be[i] = le[i + 1] as number;
    be[i + 1] = le[i] as number;
  }
  return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
};
/** Windows-1252 bytes of text that only uses Latin-1 letters and the euro sign. */
const cp1252 = (text: string) =>
  Buffer.from([...text].map((c) => (c === '€' ? 0x80 : (c.codePointAt(0) as number))));

const SAMPLE = 'Email,Campaign\r\nana@acme.io,Café Zürich €\r\n';

describe('readCsv encodings', () => {
  it.each([
    ['UTF-8', Buffer.from(SAMPLE)],
    ['UTF-8 (with BOM)', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAMPLE)])],
    ['UTF-16 LE', utf16le(SAMPLE)],
    ['UTF-16 BE', utf16be(SAMPLE)],
  ])('reads %s', async (encoding, bytes) => {
    for (const chunkSize of [1, 3, 1024]) {
      const { layout, rows, openings } = await readAll(bytes, chunkSize);
      expect(layout.encoding).toBe(encoding);
      expect(layout.headers).toEqual(['Email', 'Campaign']);
      expect(rows).toEqual([{ line: 2, cells: ['ana@acme.io', 'Café Zürich €'] }]);
      expect(openings).toBe(1);
    }
  });

  it('reads a file that is not valid UTF-8 again, from the start, as Windows-1252', async () => {
    const { layout, rows, openings } = await readAll(cp1252(SAMPLE));
    expect(layout.encoding).toBe('Windows-1252');
    expect(rows).toEqual([{ line: 2, cells: ['ana@acme.io', 'Café Zürich €'] }]);
    expect(openings).toBe(2);
  });

  it('notices a Windows-1252 byte far into the file, and keeps nothing of the first reading', async () => {
    const lines = ['Email;Campaign'];
    for (let i = 0; i < 5000; i++) lines.push(`lead${i}@acme.io;Plain ascii`);
    lines.push('last@acme.io;Messe München');
    const { layout, rows } = await readAll(cp1252(`${lines.join('\n')}\n`), 4096);
    expect(layout.encoding).toBe('Windows-1252');
    expect(rows).toHaveLength(5001);
    expect(rows.at(-1)?.cells).toEqual(['last@acme.io', 'Messe München']);
  });

  it('reads an empty file as no header and no rows', async () => {
    const { layout, rows } = await readAll(Buffer.alloc(0));
    expect(layout.headers).toEqual([]);
    expect(rows).toEqual([]);
  });
});

describe('separators', () => {
  it.each([
    ['a,b,c', ','],
    ['a;b;c', ';'],
    ['a\tb\tc', '\t'],
    ['"Name; full",Email,Campaign', ','],
    ['"a,b";"c,d";e', ';'],
    ['single', ','],
  ])('finds the separator of %j', (line, delimiter) => {
    expect(detectDelimiter(line)).toBe(delimiter);
  });

  it('reads a semicolon file (Excel in most of Europe) with commas inside cells', async () => {
    const { layout, rows } = await readAll(
      Buffer.from('Name;Company;Campaign\nAna;"Acme; Inc.";Webinar, Q4\n'),
    );
    expect(layout.delimiter).toBe(';');
    expect(rows[0]?.cells).toEqual(['Ana', 'Acme; Inc.', 'Webinar, Q4']);
  });

  it('reads a tab-separated file', async () => {
    const { layout, rows } = await readAll(Buffer.from('Name\tCampaign\nAna\tWebinar, Q4\n'));
    expect(layout.delimiter).toBe('\t');
    expect(rows[0]?.cells).toEqual(['Ana', 'Webinar, Q4']);
  });

  it('finds the separator of a quoted header that spans lines', async () => {
    const { layout, rows } = await readAll(Buffer.from('"Full\nName";Campaign\nAna;W\n'));
    expect(layout.delimiter).toBe(';');
    expect(layout.headers).toEqual(['Full\nName', 'Campaign']);
    expect(rows).toEqual([{ line: 3, cells: ['Ana', 'W'] }]);
  });
});

describe('report footers', () => {
  const report = [
    '"Lead Owner","First Name","Last Name","Company / Account","Email","Lead Status"',
    '"Jane Admin","Ana","Silva","Acme","ana@acme.io","Working - Contacted"',
    '"Jane Admin","Bo","Berg","Beta","bo@beta.io","Open - Not Contacted"',
  ];
  const footer = [
    '',
    '',
    '"Grand Totals (2 records)"',
    '',
    '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."',
    '"Confidential Information - Do Not Distribute"',
    '"Generated By:  Jane Admin  11/20/2026 2:03 PM"',
    '"Acme Corp"',
  ];

  it('skips a Salesforce report footer and says how many lines it was', async () => {
    const { layout, rows } = await readAll(Buffer.from(`${[...report, ...footer].join('\r\n')}\r\n`));
    expect(rows.map((r) => r.cells[1])).toEqual(['Ana', 'Bo']);
    expect(layout.footerLines).toBe(5);
  });

  it('keeps trailing single-cell lines that are no footer, as rows', async () => {
    const { layout, rows } = await readAll(Buffer.from(`${[...report, '', '"Cy"', '"Di"'].join('\n')}\n`));
    expect(rows.map((r) => [r.line, r.cells])).toEqual([
      [2, expect.any(Array)],
      [3, expect.any(Array)],
      [5, ['Cy']],
      [6, ['Di']],
    ]);
    expect(layout.footerLines).toBe(0);
  });

  it('keeps a footer-looking line followed by real rows, as a row', async () => {
    const { rows } = await readAll(
      Buffer.from(
        `${[...report, '"Generated By: a form"', '"Jane","Cy","Wu","Co","cy@co.io","Open"'].join('\n')}\n`,
      ),
    );
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 5]);
  });

  it('skips blank lines and rows of empty cells', async () => {
    const { rows } = await readAll(Buffer.from('a;b\n1;2\n\n;;\n3;4\n;\n'));
    expect(rows).toEqual([
      { line: 2, cells: ['1', '2'] },
      { line: 5, cells: ['3', '4'] },
    ]);
  });
});

it('refuses text that is not CSV, naming the line', async () => {
  const read = readAll(Buffer.from('a,b\n1,2\n"3,4\n'));
  await expect(read).rejects.toBeInstanceOf(CsvFormatError);
  await expect(readAll(Buffer.from('a,b\n1,2\n"3,4\n'))).rejects.toThrow(/line 3/);
});

it('refuses a file whose UTF-8 byte order mark is belied by its bytes, saying what to do', async () => {
  const bytes = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from('Email,Campaign\n'),
    cp1252('a@b.io,Café\n'),
  ]);
  await expect(readAll(bytes)).rejects.toThrow(/byte order mark but is not valid UTF-8.*Save it again/);
});
