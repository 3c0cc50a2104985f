// Read an ICS file with ical.js (the parser behind Thunderbird) and print, as JSON,
// each VEVENT's UID and its DTSTART/DTEND as UTC instants (ISO 8601, "Z").
// Every VTIMEZONE in the file is registered first, so the wall times are read
// through the file's own zone rules, as a client without the IANA zone does.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}
const utc = (time) => time.convertToZone(ICAL.Timezone.utcTimezone).toString();
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
    start: utc(event.startDate),
    end: utc(event.endDate),
  };
});
process.stdout.write(JSON.stringify(events, null, 1) + "\n");
