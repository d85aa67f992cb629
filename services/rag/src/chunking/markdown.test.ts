import { describe, expect, it } from 'vitest';
import { MIN_PARAGRAPH_CHARS, chunkMarkdown, splitPages } from './markdown.ts';

const para = (label: string) => `${label} is a paragraph long enough to stand as its own chunk.`;

describe('splitPages', () => {
  it('treats a document without markers as one page', () => {
    expect(splitPages('just text\n\nmore')).toEqual([{ pageNumber: 1, text: 'just text\n\nmore' }]);
  });

  it('splits on form feeds and <!-- page --> markers, ignoring a leading or trailing break', () => {
    expect(splitPages('a\fb\f').map((p) => p.text)).toEqual(['a', 'b']);
    expect(splitPages('<!-- page -->\na\n<!--PAGE-->\nb').map((p) => p.text.trim())).toEqual(['a', 'b']);
    expect(splitPages('a\f\fc').map((p) => [p.pageNumber, p.text])).toEqual([
      [1, 'a'],
      [2, ''],
      [3, 'c'],
    ]);
  });
});

describe('chunkMarkdown', () => {
  it('makes one chunk per paragraph, with 1-based pages and 0-based indexes restarting on each page', () => {
    const text = `${para('One')}\n\n${para('Two')}\f${para('Three')}\n\n\n${para('Four')}\n${para('Four b')}`;
    const { pages, chunks } = chunkMarkdown(text);
    expect(pages).toHaveLength(2);
    expect(chunks.map((c) => [c.pageNumber, c.paragraphIndex, c.text])).toEqual([
      [1, 0, para('One')],
      [1, 1, para('Two')],
      [2, 0, para('Three')],
      [2, 1, `${para('Four')}\n${para('Four b')}`],
    ]);
  });

  it('sets section_path from ## headings and chapter_path from # headings, carried over page breaks', () => {
    const text = [
      para('Intro'),
      '# Part A',
      para('A intro'),
      '## Eligibility ##',
      para('Elig'),
      '<!-- page -->',
      para('Elig continued'),
      '### Not a section',
      '# Part B',
      para('B'),
    ].join('\n\n');
    const paths = chunkMarkdown(text).chunks.map((c) => [c.pageNumber, c.chapterPath, c.sectionPath, c.text]);
    expect(paths).toEqual([
      [1, '', '', para('Intro')],
      [1, 'Part A', '', para('A intro')],
      [1, 'Part A', 'Eligibility', para('Elig')],
      [2, 'Part A', 'Eligibility', `${para('Elig continued')}\n\n### Not a section`],
      [2, 'Part B', '', para('B')],
    ]);
  });

  it('joins fragments shorter than the minimum to the previous paragraph of the same section only', () => {
    const short = 'See table 2.';
    expect(short.length).toBeLessThan(MIN_PARAGRAPH_CHARS);
    const text = [short, para('First'), short, '## Next', short, para('Second')].join('\n\n');
    expect(chunkMarkdown(text).chunks.map((c) => [c.paragraphIndex, c.sectionPath, c.text])).toEqual([
      [0, '', short],
      [1, '', `${para('First')}\n\n${short}`],
      [2, 'Next', short],
      [3, 'Next', para('Second')],
    ]);
  });

  it('does not split inside a fenced code block, and records where each paragraph starts in its page', () => {
    const fence = '```\nconst sample = "a line of code";\n\n## not a heading\n```';
    const text = `${para('Before')}\n\n${fence}\n\n  ${para('After')}`;
    const { pages, chunks } = chunkMarkdown(text);
    expect(chunks.map((c) => c.text)).toEqual([para('Before'), fence, para('After')]);
    for (const chunk of chunks) expect(pages[0]!.text.slice(chunk.startOffset)).toMatch(new RegExp(`^${chunk.text.slice(0, 3)}`));
    expect(chunks.every((c) => c.sectionPath === '')).toBe(true);
  });

  it('normalises CRLF line endings and yields no chunks for headings alone', () => {
    expect(chunkMarkdown(`${para('A')}\r\n\r\n${para('B')}`).chunks.map((c) => c.text)).toEqual([para('A'), para('B')]);
    expect(chunkMarkdown('# Title\n\n## Section\n').chunks).toEqual([]);
  });

  it('truncates heading paths to the column size', () => {
    const { chunks } = chunkMarkdown(`## ${'x'.repeat(600)}\n\n${para('Body')}`);
    expect(chunks[0]!.sectionPath).toHaveLength(500);
  });
});
