/**
 * Fictional names for the simulator's world, so that nobody mistakes a simulated result for a real one.
 */
import type { Random } from './random.ts';

const PLACES = [
  'Aldermoor', 'Brightwater', 'Cinder Hollow', 'Duskfield', 'Emberlyn', 'Fernhaven', 'Glimmerton', 'Harrowgate',
  'Ironvale', 'Juniper Ridge', 'Kestrel Bay', 'Lanternfall', 'Marrowmere', 'Northwick', 'Oakenshaw', 'Pinecrest',
  'Quillbrook', 'Ravenmoor', 'Saltmarsh', 'Thistledown', 'Umberlee', 'Violet Springs', 'Willowmere', 'Yarrowby',
  'Zephyr Point', 'Ashbourne', 'Briarwood', 'Coldharbor', 'Dovecote', 'Elmstead', 'Foxglove', 'Greywater',
  'Hollowell', 'Ivybridge', 'Jasper Falls', 'Kingsreach', 'Larkspur', 'Mistvale', 'Netherby', 'Orchard Glen',
  'Pebblecreek', 'Quarrytown', 'Redfern', 'Stonebridge', 'Tidewater', 'Upper Mill', 'Vale Crossing', 'Westmarch',
  'Amberfield', 'Blackthorn', 'Copperton', 'Driftwood', 'Eastholm', 'Frostmere', 'Goldcrest', 'Hearthstone',
];
const SUFFIXES = ['', ' State', ' Tech', ' A&M', ' Christian', ' Poly', ' University', ' College'];
const MASCOTS = [
  'Herons', 'Lynx', 'Comets', 'Badgers', 'Foxes', 'Owls', 'Storm', 'Otters', 'Wolves', 'Falcons', 'Bison', 'Pilots',
  'Miners', 'Rangers', 'Knights', 'Mariners', 'Hawks', 'Stags', 'Coyotes', 'Ravens', 'Pioneers', 'Tigers', 'Gulls',
];
const CONFERENCE_WORDS = ['Atlantic', 'Prairie', 'Summit', 'Coastal', 'Frontier', 'Heartland', 'Lakes', 'Mountain', 'River', 'Pacific', 'Northern', 'Southern', 'Valley', 'Capital', 'Gateway', 'Pioneer'];
const CONFERENCE_KINDS = ['Conference', 'Athletic Conference', 'League', 'Association', 'Alliance'];
const STATES = ['AL', 'AZ', 'CA', 'CO', 'FL', 'GA', 'IL', 'IN', 'IA', 'KS', 'KY', 'MA', 'MD', 'MI', 'MN', 'MO', 'NC', 'NE', 'NY', 'OH', 'OR', 'PA', 'SC', 'TN', 'TX', 'UT', 'VA', 'WA', 'WI'];
const FIRST = ['Avery', 'Blake', 'Cam', 'Dario', 'Eli', 'Finn', 'Gabe', 'Hollis', 'Isaac', 'Jalen', 'Kofi', 'Luca', 'Malik', 'Nico', 'Omar', 'Pax', 'Quinn', 'Reid', 'Sol', 'Tariq', 'Umar', 'Vance', 'Wes', 'Xavi', 'Yusuf', 'Zane'];
const LAST = ['Ashford', 'Bellamy', 'Carrow', 'Delacroix', 'Ellery', 'Fairbairn', 'Garnett', 'Hale', 'Ingram', 'Jessup', 'Kincaid', 'Lowry', 'Mercer', 'Nyberg', 'Okafor', 'Pruitt', 'Quayle', 'Rourke', 'Sallow', 'Thorne', 'Underhill', 'Voss', 'Whitlock', 'Yardley'];

const PREFIXES = ['', '', '', 'North ', 'South ', 'East ', 'West ', 'Central ', 'Upper ', 'Saint ', 'Lower ', 'New '];

/** `count` distinct school names (up to a few thousand). */
export function schoolNames(random: Random, count: number): string[] {
  const capacity = new Set(PREFIXES).size * PLACES.length * SUFFIXES.length;
  if (count > capacity / 2) throw new Error(`the simulator can name at most ${Math.floor(capacity / 2)} schools`);
  const names = new Set<string>();
  while (names.size < count) names.add(`${random.pick(PREFIXES)}${random.pick(PLACES)}${random.pick(SUFFIXES)}`.trim());
  return [...names];
}

export function mascot(random: Random): string {
  return random.pick(MASCOTS);
}

export function conferenceName(random: Random, taken: Set<string>): string {
  for (;;) {
    const name = `${random.pick(CONFERENCE_WORDS)} ${random.pick(CONFERENCE_KINDS)}`;
    if (!taken.has(name)) return name;
  }
}

export function state(random: Random): string {
  return random.pick(STATES);
}

export function personName(random: Random): string {
  return `${random.pick(FIRST)} ${random.pick(LAST)}`;
}

export function abbreviate(name: string): string {
  const words = name.replace(/&/g, '').split(/\s+/).filter(Boolean);
  return (words.length === 1 ? words[0]!.slice(0, 4) : words.map((w) => w[0]).join('')).toUpperCase();
}
