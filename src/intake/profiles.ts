import type { MappedField, ProfileName } from './types.js';

/**
 * Each source's own names for the lead's fields, as its documentation and exports spell them,
 * compared through `nameKey` (so `Company / Account`, `CAMPAIGN.NAME` and `Lead.Email` are
 * `companyaccount`, `campaignname` and `leademail`). Within a field, earlier names win when a
 * record has several (a CampaignMember extract's `LeadId` over its own `Id`).
 */
export type AliasTable = Partial<Record<MappedField, string[]>>;

export interface Profile {
  name: ProfileName;
  /** How people call it in messages. */
  label: string;
  /** What one record is called, for messages ("contact", "lead", "person"). */
  record: string;
  aliases: AliasTable;
  /**
   * Names that are one property under two spellings (HubSpot's export label and its internal
   * name), by nameKey both ways: the admin may map either and both are read.
   */
  synonyms?: Record<string, string>;
  /**
   * The zone the vendor documents for times without an offset in its webhook bodies (Pipedrive's
   * API: UTC); exports are read in TIMEZONE, as people see them.
   */
  apiZone?: string;
}

/** The names anyone uses: the native JSON fields and the usual CRM and form spellings. */
const COMMON: Required<Omit<AliasTable, 'status' | 'statusReason'>> & AliasTable = {
  externalId: ['externalid', 'recordid', 'contactid', 'leadid', 'id'],
  email: ['email', 'emailaddress', 'mail', 'workemail'],
  name: ['name', 'fullname', 'contactname', 'leadname'],
  firstName: ['firstname', 'givenname', 'first'],
  lastName: ['lastname', 'surname', 'familyname', 'last'],
  company: [
    'company',
    'companyname',
    'organization',
    'organisation',
    'organizationname',
    'account',
    'accountname',
  ],
  title: ['title', 'jobtitle', 'position', 'role'],
  phone: ['phone', 'phonenumber', 'mobile', 'mobilephone'],
  country: ['country', 'countryregion', 'countryname'],
  campaign: ['campaign', 'campaignname', 'utmcampaign'],
  source: ['source', 'leadsource', 'originalsource', 'utmsource'],
  score: ['score', 'leadscore', 'hubspotscore'],
  url: ['url', 'link', 'crmurl', 'recordurl', 'crmlink', 'profileurl'],
  notes: ['notes', 'note', 'description', 'comments', 'comment', 'message'],
  createdAt: ['createdat', 'created', 'createdate', 'createddate', 'createdon', 'date'],
  status: ['decision', 'outcome'],
  statusReason: ['reason', 'rejectreason', 'decisionreason'],
};

/** A profile's names first, then the common ones (without repeating any). */
function withCommon(own: AliasTable): AliasTable {
  const table: AliasTable = {};
  const fields = new Set([...Object.keys(own), ...Object.keys(COMMON)] as MappedField[]);
  for (const field of fields) table[field] = [...new Set([...(own[field] ?? []), ...(COMMON[field] ?? [])])];
  return table;
}

export const PROFILES: Record<ProfileName, Profile> = {
  native: { name: 'native', label: 'Leadloop', record: 'lead', aliases: COMMON },
  flat: { name: 'flat', label: 'form or Zapier/Make/n8n', record: 'lead', aliases: COMMON },
  hubspot: {
    name: 'hubspot',
    label: 'HubSpot',
    record: 'contact',
    // Internal property names (webhook bodies) and the export's column labels.
    aliases: withCommon({
      externalId: ['hsobjectid', 'recordid', 'vid', 'canonicalvid', 'id'],
      title: ['jobtitle'],
      phone: ['phone', 'phonenumber', 'mobilephone', 'mobilephonenumber'],
      source: ['hsanalyticssource', 'originalsource', 'originaltrafficsource'],
      score: ['hubspotscore', 'hubspotscore'],
      createdAt: ['createdate', 'createdat'],
      status: ['hsleadstatus', 'leadstatus'],
    }),
    synonyms: {
      originalsource: 'hsanalyticssource',
      originalsourcedrilldown1: 'hsanalyticssourcedata1',
      originalsourcedrilldown2: 'hsanalyticssourcedata2',
      latestsource: 'hsanalyticssourcelatest',
      latestsourcedrilldown1: 'hsanalyticssourcedata1latest',
      latestsourcedrilldown2: 'hsanalyticssourcedata2latest',
      recordid: 'hsobjectid',
      leadstatus: 'hsleadstatus',
      phonenumber: 'phone',
      companyname: 'company',
    },
  },
  salesforce: {
    name: 'salesforce',
    label: 'Salesforce',
    record: 'lead',
    // API names (Data Loader, Flow), relationship columns (CAMPAIGN.NAME, Lead.Email) and report labels.
    aliases: withCommon({
      externalId: ['leadid', 'id'],
      email: ['leademail', 'email'],
      name: ['leadname', 'name', 'fullname'],
      firstName: ['leadfirstname', 'firstname'],
      lastName: ['leadlastname', 'lastname'],
      company: ['leadcompany', 'company', 'companyaccount', 'accountname'],
      title: ['leadtitle', 'title'],
      phone: ['leadphone', 'phone', 'mobilephone', 'mobile'],
      country: ['leadcountry', 'country', 'countrycode'],
      campaign: ['campaignname', 'campaign'],
      source: ['leadleadsource', 'leadsource'],
      createdAt: ['createddate', 'createdate', 'leadcreateddate'],
      notes: ['description', 'leaddescription'],
      status: ['leadstatus', 'status'],
      statusReason: ['unqualifiedreason', 'disqualifiedreason', 'leadunqualifiedreason'],
    }),
  },
  marketo: {
    name: 'marketo',
    label: 'Marketo',
    record: 'person',
    // Smart list export labels and REST API names.
    aliases: withCommon({
      email: ['emailaddress', 'email'],
      company: ['companyname', 'company'],
      campaign: ['acquisitionprogram', 'acquisitionprogramname', 'campaignname', 'campaign'],
      source: ['leadsource', 'personsource', 'originalsourcetype'],
      score: ['leadscore', 'score'],
      createdAt: ['createdat', 'created'],
      status: ['leadstatus', 'status'],
    }),
  },
  pipedrive: {
    name: 'pipedrive',
    label: 'Pipedrive',
    record: 'person',
    // Export headers are "Object - Field"; webhook bodies use the API's snake_case names.
    aliases: withCommon({
      externalId: ['leadid', 'personid', 'dealid', 'id'],
      name: ['personname', 'name', 'contactperson', 'leadcontactperson', 'dealcontactperson'],
      firstName: ['personfirstname', 'firstname'],
      lastName: ['personlastname', 'lastname'],
      email: ['personemail', 'personemailwork', 'personemailhome', 'personemailother', 'email'],
      phone: ['personphone', 'personphonework', 'personphonemobile', 'phone'],
      company: ['organizationname', 'personorganization', 'leadorganization', 'dealorganization', 'orgname'],
      title: ['personjobtitle', 'jobtitle'],
      country: ['organizationaddresscountry', 'personcountry'],
      source: ['leadsourcechannel', 'personsourcechannel', 'dealsourcechannel', 'leadsource', 'sourcename'],
      notes: ['leadtitle', 'dealtitle'],
      createdAt: [
        'leadleadcreated',
        'personpersoncreated',
        'dealdealcreated',
        'leadaddtime',
        'personaddtime',
        'addtime',
      ],
      status: ['dealstatus'],
      statusReason: ['deallostreason', 'lostreason'],
    }),
    apiZone: 'UTC',
  },
};

/** Salesforce API names that only Salesforce spells this way (exact case). */
const SALESFORCE_API_NAMES = new Set([
  'Id',
  'FirstName',
  'LastName',
  'Company',
  'Title',
  'LeadSource',
  'CreatedDate',
  'IsConverted',
  'OwnerId',
  'MobilePhone',
  'Status',
  'Rating',
  'LeadId',
  'CampaignId',
]);

/** Export headers each vendor writes and others do not, by nameKey. */
const HEADER_SIGNATURES: [ProfileName, Set<string>][] = [
  [
    'hubspot',
    new Set([
      'recordid',
      'hubspotscore',
      'originalsourcedrilldown1',
      'originalsourcedrilldown2',
      'contactowner',
      'lastactivitydate',
      'createdate',
      'lifecyclestage',
      'originalsource',
      'associatedcompany',
    ]),
  ],
  [
    'salesforce',
    new Set([
      'companyaccount',
      'leadowner',
      'leadid',
      'campaignname',
      'leademail',
      'unqualifiedreason',
      'leadstatus',
      'leadsource',
    ]),
  ],
  [
    'marketo',
    new Set([
      'acquisitionprogram',
      'personsource',
      'leadscore',
      'emailaddress',
      'originalsourcetype',
      'createdat',
    ]),
  ],
];

/**
 * Which vendor wrote a header row: Pipedrive by its "Object - Field" headers, Salesforce by its
 * exact-case API names or relationship columns, otherwise the vendor with most of its own labels
 * (two at least). Unrecognised headers are `flat`: the common names.
 */
/**
 * Data Loader writes API names in capitals (`FIRSTNAME`, `LEADSOURCE`). Only the compound ones
 * (`FirstName`, `LeadSource`…) are told apart from a spreadsheet's own capitals.
 */
const DATA_LOADER_NAMES = new Set(
  [...SALESFORCE_API_NAMES].filter((name) => /[a-z][A-Z]/.test(name)).map((name) => name.toUpperCase()),
);

export function profileFromHeaders(headers: string[], key: (name: string) => string): ProfileName {
  const trimmed = headers.map((h) => h.replace(/^\uFEFF/, '').trim());
  if (trimmed.filter((h) => /^(Person|Organization|Lead|Deal) - \S/.test(h)).length >= 2) return 'pipedrive';
  if (
    trimmed.filter((h) => SALESFORCE_API_NAMES.has(h)).length >= 2 ||
    trimmed.filter((h) => DATA_LOADER_NAMES.has(h)).length >= 2 ||
    trimmed.some((h) => /^[A-Za-z]+\.[A-Za-z_]+$/.test(h))
  ) {
    return 'salesforce';
  }
  const keys = new Set(trimmed.map(key));
  let best: ProfileName = 'flat';
  let bestCount = 1;
  for (const [profile, signature] of HEADER_SIGNATURES) {
    const count = [...signature].filter((s) => keys.has(s)).length;
    if (count > bestCount) {
      best = profile;
      bestCount = count;
    }
  }
  return best;
}

export function isSalesforceRecord(item: Record<string, unknown>): boolean {
  const attributes = item.attributes;
  if (isObject(attributes) && typeof attributes.type === 'string') return true;
  return Object.keys(item).filter((k) => SALESFORCE_API_NAMES.has(k)).length >= 2;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
