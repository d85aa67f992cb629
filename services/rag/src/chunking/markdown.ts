/**
 * Markdown chunking as the existing RAG app does it (docs/contracts.md, "The RAG database"): per page, one paragraph
 * per chunk, `## ` headings set `section_path`, `# ` headings set `chapter_path`, and very short
 * fragments join the previous paragraph. Pure: no I/O.
 */

/** One page of the source: 1-based number and its text (line endings normalised to `\n`). */
export interface Page {
  pageNumber: number;
  text: string;
}

/** One paragraph chunk of a page. */
export interface Chunk {
  /** 1-based. */
  pageNumber: number;
  /** 0-based within its page; restarts at 0 on every page. */
  paragraphIndex: number;
  /** The current `## ` heading ('' before the first); carries over page breaks, reset by a `# ` heading. */
  sectionPath: string;
  /** The current `# ` heading ('' before the first); carries over page breaks. */
  chapterPath: string;
  text: string;
  /** Where the paragraph starts in its page's text. */
  startOffset: number;
}

export interface ChunkedDocument {
  pages: Page[];
  chunks: Chunk[];
}

/** A paragraph shorter than this joins the previous paragraph of the same page and section. */
export const MIN_PARAGRAPH_CHARS = 40;
/** `section_path` and `chapter_path` are varchar(500). */
export const MAX_PATH_CHARS = 500;

/** Page breaks: a form feed (as pdftotext writes) or an HTML comment `<!-- page -->`. */
const PAGE_BREAK = /\f|<!--\s*page\s*-->/i;
/** `# Title` or `## Title` (up to 3 spaces of indent, optional closing #s); deeper headings are text. */
const HEADING = /^ {0,3}(#{1,2})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(```|~~~)/;

/**
 * Splits a document into pages. A document without page breaks is one page. A break before any text
 * (a leading marker) or after the last text (pdftotext's final form feed) does not start a page;
 * an empty page between two breaks is kept so page numbers match the source.
 */
export function splitPages(text: string): Page[] {
  const segments = text.replace(/\r\n?/g, '\n').split(PAGE_BREAK);
  while (segments.length > 1 && segments[0]!.trim() === '') segments.shift();
  while (segments.length > 1 && segments[segments.length - 1]!.trim() === '') segments.pop();
  return segments.map((segment, index) => ({ pageNumber: index + 1, text: segment }));
}

interface Headings {
  chapterPath: string;
  sectionPath: string;
}

/** Collects the lines of one paragraph until a blank line, a heading or the end of the page. */
class PageChunker {
  private lines: string[] = [];
  private start = 0;
  readonly chunks: Chunk[] = [];

  constructor(
    private readonly pageNumber: number,
    private readonly headings: Headings,
  ) {}

  add(line: string, offset: number): void {
    if (this.lines.length === 0) this.start = offset + (line.length - line.trimStart().length);
    this.lines.push(line);
  }

  /** Ends the current paragraph: a new chunk, or joined to the previous one when it is very short. */
  flush(): void {
    const text = this.lines.join('\n').trim();
    this.lines = [];
    if (text === '') return;
    const previous = this.chunks[this.chunks.length - 1];
    const sameSection = previous?.sectionPath === this.headings.sectionPath && previous.chapterPath === this.headings.chapterPath;
    if (previous && sameSection && text.length < MIN_PARAGRAPH_CHARS) {
      previous.text = `${previous.text}\n\n${text}`;
      return;
    }
    this.chunks.push({
      pageNumber: this.pageNumber,
      paragraphIndex: this.chunks.length,
      sectionPath: this.headings.sectionPath,
      chapterPath: this.headings.chapterPath,
      text,
      startOffset: this.start,
    });
  }
}

/** The level (1 or 2) and title of a `#`/`##` heading line; undefined for any other line. */
function parseHeading(line: string): { level: 1 | 2; title: string } | undefined {
  const match = HEADING.exec(line);
  if (!match) return undefined;
  return { level: match[1] === '#' ? 1 : 2, title: match[2]!.trim().slice(0, MAX_PATH_CHARS) };
}

function applyHeading(heading: { level: 1 | 2; title: string }, headings: Headings): void {
  if (heading.level === 1) {
    headings.chapterPath = heading.title;
    headings.sectionPath = '';
  } else {
    headings.sectionPath = heading.title;
  }
}

/** Chunks one page, updating `headings` (which carry over to the next page). */
function chunkPage(page: Page, headings: Headings): Chunk[] {
  const chunker = new PageChunker(page.pageNumber, headings);
  let offset = 0;
  let inFence = false;
  for (const line of page.text.split('\n')) {
    const heading = inFence ? undefined : parseHeading(line);
    if (FENCE.test(line)) {
      inFence = !inFence;
      chunker.add(line, offset);
    } else if (inFence) chunker.add(line, offset);
    else if (line.trim() === '') chunker.flush();
    else if (heading) {
      chunker.flush();
      applyHeading(heading, headings);
    } else chunker.add(line, offset);
    offset += line.length + 1;
  }
  chunker.flush();
  return chunker.chunks;
}

/**
 * Chunks a markdown document: pages split on form feeds or `<!-- page -->`, then paragraphs split on
 * blank lines and headings. Blank lines and headings inside a fenced code block do not split it.
 */
export function chunkMarkdown(text: string): ChunkedDocument {
  const pages = splitPages(text);
  const headings: Headings = { chapterPath: '', sectionPath: '' };
  const chunks = pages.flatMap((page) => chunkPage(page, headings));
  return { pages, chunks };
}
