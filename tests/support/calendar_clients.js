// Reads an iCalendar file with ical.js (the parser behind many web calendars) and prints, for every
// event, its UID and its start as an instant in UTC, as the client would show it.
const fs = require("fs");
const ICAL = require(process.argv[2]);
const root = new ICAL.Component(ICAL.parse(fs.readFileSync(process.argv[3], "utf8")));
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtz);
}
const out = {};
for (const vevent of root.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  out[event.uid] = event.startDate.toJSDate().toISOString();
}
process.stdout.write(JSON.stringify(out));
