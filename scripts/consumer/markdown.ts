/**
 * Fenced code blocks of a Markdown file, each with where it starts, so a
 * check of the block can point at the Markdown line.
 */

export interface CodeBlock {
  /** The Markdown file, as given (`README.md`). */
  source: string;
  /** The info string's first word (`ts`, `tsx`, `svelte`, `sh`), or '' for a bare fence. */
  lang: string;
  /** 1-based position among all fenced blocks of the file. */
  ordinal: number;
  /** The Markdown line of the block's first code line (1-based). */
  line: number;
  /** The nearest `##` heading above the block, without the hashes. */
  heading: string | null;
  code: string;
}

/** Every fenced (```) code block of `markdown`. */
export function fencedBlocks(markdown: string, source: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let heading: string | null = null;
  let open: { fence: string; lang: string; line: number; lines: string[] } | null = null;
  const lines = markdown.split('\n');
  for (const [index, text] of lines.entries()) {
    if (open === null) {
      const start = /^(`{3,}|~{3,})\s*([^\s`]*)/.exec(text);
      if (start !== null) open = { fence: start[1] as string, lang: start[2] ?? '', line: index + 2, lines: [] };
      else if (text.startsWith('## ')) heading = text.slice(3).trim();
    } else if (text.trim().startsWith(open.fence) && text.trim().replace(/[`~]/g, '') === '') {
      blocks.push({
        source,
        lang: open.lang,
        ordinal: blocks.length + 1,
        line: open.line,
        heading,
        code: open.lines.join('\n') + '\n',
      });
      open = null;
    } else {
      open.lines.push(text);
    }
  }
  if (open !== null) throw new Error(`${source}:${open.line - 1}: this code block is never closed`);
  return blocks;
}

/** A file name for the block, after its Markdown file and position: `examples-inspector-README.block02.ts`. */
export function blockFileName(block: CodeBlock, extension: string): string {
  const stem = block.source.replace(/\.md$/i, '').replace(/[^A-Za-z0-9]+/g, '-');
  return `${stem}.block${String(block.ordinal).padStart(2, '0')}.${extension}`;
}
