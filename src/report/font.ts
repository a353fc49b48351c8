import { createRequire } from 'node:module';
import { GlobalFonts } from '@napi-rs/canvas';
import { LeadloopError } from '../errors.js';

/**
 * The font that chart images are drawn with. It ships as an npm package, so that text renders
 * on a server or CI machine that has no system fonts at all: there, a canvas with no font
 * draws no text, and a chart with no labels is worse than no chart. The family is registered
 * under our own name so that it can never be confused with (or silently replaced by) a system
 * font of the same name.
 */

export const CHART_FONT_FAMILY = 'Leadloop DejaVu Sans';
export const CHART_FONT_PACKAGE = 'dejavu-fonts-ttf';

/** Regular and bold: the title is bold. Paths inside CHART_FONT_PACKAGE. */
const FONT_FILES = ['ttf/DejaVuSans.ttf', 'ttf/DejaVuSans-Bold.ttf'] as const;

export class ChartFontError extends LeadloopError {
  readonly code = 'leadloop_chart_font_error';
}

export type ResolveModule = (specifier: string) => string;

const requireFromHere = createRequire(import.meta.url);
const resolveFromHere: ResolveModule = (specifier) => requireFromHere.resolve(specifier);

/** The absolute paths of the font files, found the way Node finds a package from this module. */
export function chartFontFiles(resolve: ResolveModule = resolveFromHere): string[] {
  return FONT_FILES.map((file) => {
    const specifier = `${CHART_FONT_PACKAGE}/${file}`;
    try {
      return resolve(specifier);
    } catch (error) {
      throw new ChartFontError(
        `Chart images need the font file ${specifier}, which was not found. ` +
          `Install the font package with \`npm install ${CHART_FONT_PACKAGE}\` ` +
          '(it is a dependency of Leadloop; a production install must include it).',
        { cause: error },
      );
    }
  });
}

let registered = false;

/**
 * Registers the chart font with the canvas library, once per process, and returns its family
 * name. Throws ChartFontError when the font cannot be found or loaded.
 */
export function ensureChartFont(resolve: ResolveModule = resolveFromHere): string {
  if (registered) return CHART_FONT_FAMILY;
  for (const path of chartFontFiles(resolve)) {
    if (GlobalFonts.registerFromPath(path, CHART_FONT_FAMILY) === null) {
      throw new ChartFontError(
        `The chart font ${path} could not be loaded. Reinstall it with \`npm install ${CHART_FONT_PACKAGE}\`.`,
      );
    }
  }
  registered = true;
  return CHART_FONT_FAMILY;
}
