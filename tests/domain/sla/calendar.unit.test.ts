import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addCalendarTime, calendarTimeBetween } from "../../../domain/sla/calendar.ts";
import type { BusinessCalendar } from "../../../domain/sla/types.ts";

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;

const berlin: BusinessCalendar = {
  kind: "business_hours",
  timeZone: "Europe/Berlin",
  weekdays: [1, 2, 3, 4, 5],
  start: "09:00",
  end: "17:00",
  holidays: [],
};
const newYork: BusinessCalendar = { ...berlin, timeZone: "America/New_York" };
const allDayNewYork: BusinessCalendar = {
  ...newYork,
  weekdays: [1, 2, 3, 4, 5, 6, 7],
  start: "00:00",
  end: "24:00",
};
const twentyFourSeven: BusinessCalendar = { kind: "24x7" };

describe("24x7 calendar time", () => {
  it("given a start, when adding time, then it is plain wall time", () => {
    const start = Date.UTC(2026, 2, 8, 6, 30);
    expect(addCalendarTime(start, 90 * MIN, twentyFourSeven)).toBe(Date.UTC(2026, 2, 8, 8, 0));
    expect(calendarTimeBetween(start, Date.UTC(2026, 2, 8, 8, 0), twentyFourSeven)).toBe(90 * MIN);
  });

  it("given b at or before a, then no time lies between them", () => {
    const a = Date.UTC(2026, 0, 1);
    expect(calendarTimeBetween(a, a, twentyFourSeven)).toBe(0);
    expect(calendarTimeBetween(a, a - H, twentyFourSeven)).toBe(0);
    expect(calendarTimeBetween(a, a - H, berlin)).toBe(0);
  });
});

describe("business-hours calendar time", () => {
  it("given Friday 15:00 in Berlin, when 4h is added, then it is due Monday 11:00 local", () => {
    // 2026-01-16 is a Friday; Berlin is UTC+1 in January.
    const fridayThreePm = Date.UTC(2026, 0, 16, 14, 0);
    const due = addCalendarTime(fridayThreePm, 4 * H, berlin);
    expect(due).toBe(Date.UTC(2026, 0, 19, 10, 0));
    expect(calendarTimeBetween(fridayThreePm, due, berlin)).toBe(4 * H);
  });

  it("given a target that ends exactly at closing time, then it is due at closing, not next morning", () => {
    const fridayThreePm = Date.UTC(2026, 0, 16, 14, 0);
    expect(addCalendarTime(fridayThreePm, 2 * H, berlin)).toBe(Date.UTC(2026, 0, 16, 16, 0));
  });

  it("given a start on a Saturday, then counting begins at Monday's opening", () => {
    const saturdayNoon = Date.UTC(2026, 0, 17, 11, 0);
    expect(addCalendarTime(saturdayNoon, 30 * MIN, berlin)).toBe(Date.UTC(2026, 0, 19, 8, 30));
    expect(calendarTimeBetween(saturdayNoon, Date.UTC(2026, 0, 19, 8, 30), berlin)).toBe(30 * MIN);
  });

  it("given a holiday on Friday 1 May, when 4h is added on Thursday 16:00, then Friday is skipped", () => {
    // Berlin is UTC+2 in May. Without the holiday the target would end Friday 12:00.
    const thursdayFourPm = Date.UTC(2026, 3, 30, 14, 0);
    expect(addCalendarTime(thursdayFourPm, 4 * H, berlin)).toBe(Date.UTC(2026, 4, 1, 10, 0));
    const withHoliday: BusinessCalendar = { ...berlin, holidays: ["2026-05-01"] };
    const due = addCalendarTime(thursdayFourPm, 4 * H, withHoliday);
    expect(due).toBe(Date.UTC(2026, 4, 4, 10, 0));
    expect(calendarTimeBetween(thursdayFourPm, due, withHoliday)).toBe(4 * H);
    expect(calendarTimeBetween(Date.UTC(2026, 4, 1, 0), Date.UTC(2026, 4, 2, 0), withHoliday)).toBe(0);
  });

  it("given New York springs forward on Sunday 8 March, when 4h is added Friday 15:00, then Monday 11:00 EDT", () => {
    // Friday is UTC-5, Monday UTC-4: a fixed-offset calculation would land an hour late.
    const fridayThreePm = Date.UTC(2026, 2, 6, 20, 0);
    const due = addCalendarTime(fridayThreePm, 4 * H, newYork);
    expect(due).toBe(Date.UTC(2026, 2, 9, 15, 0));
    expect(calendarTimeBetween(fridayThreePm, due, newYork)).toBe(4 * H);
  });

  it("given working hours around the clock, then a DST day is 23h in March and 25h in November", () => {
    const saturdayMidnightEst = Date.UTC(2026, 2, 7, 5, 0);
    const mondayMidnightEdt = Date.UTC(2026, 2, 9, 4, 0);
    expect(calendarTimeBetween(saturdayMidnightEst, mondayMidnightEdt, allDayNewYork)).toBe(47 * H);
    expect(addCalendarTime(saturdayMidnightEst, 47 * H, allDayNewYork)).toBe(mondayMidnightEdt);

    const saturdayMidnightEdt = Date.UTC(2026, 9, 31, 4, 0);
    const mondayMidnightEst = Date.UTC(2026, 10, 2, 5, 0);
    expect(calendarTimeBetween(saturdayMidnightEdt, mondayMidnightEst, allDayNewYork)).toBe(49 * H);
    expect(addCalendarTime(saturdayMidnightEdt, 49 * H, allDayNewYork)).toBe(mondayMidnightEst);
  });

  it("given a 30-day target in business hours, then it spans 90 working days", () => {
    // Monday 2026-01-05 09:00 CET; 720h of 8h days is 90 weekdays, ending Friday 8 May at 17:00 CEST.
    const start = Date.UTC(2026, 0, 5, 8, 0);
    const due = addCalendarTime(start, 30 * DAY, berlin);
    expect(due).toBe(Date.UTC(2026, 4, 8, 15, 0));
    expect(calendarTimeBetween(start, due, berlin)).toBe(30 * DAY);
  });
});

describe("addCalendarTime and calendarTimeBetween are inverses", () => {
  const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2032, 0, 1) });
  const duration = fc.integer({ min: 0, max: 30 * DAY });
  const calendars: BusinessCalendar[] = [
    twentyFourSeven,
    { ...berlin, holidays: ["2026-05-01", "2026-12-24", "2026-12-25", "2027-01-01"] },
    newYork,
    allDayNewYork,
    // A window across New York's DST hour: the gap and the repeated hour both land inside it.
    { ...newYork, weekdays: [6, 7], start: "01:30", end: "02:45" },
    { ...berlin, timeZone: "Australia/Lord_Howe", weekdays: [2, 4, 6], start: "07:15", end: "19:45" },
  ];
  const calendar = fc.constantFrom(...calendars);

  it("given any start and duration, then the time between start and the result is the duration", () => {
    fc.assert(
      fc.property(calendar, instant, duration, (cal, start, ms) => {
        const end = addCalendarTime(start, ms, cal);
        expect(end).toBeGreaterThanOrEqual(start);
        expect(calendarTimeBetween(start, end, cal)).toBe(ms);
      }),
    );
  });

  it("given a positive duration, then the result is the earliest instant that reaches it", () => {
    fc.assert(
      fc.property(calendar, instant, fc.integer({ min: 1, max: 30 * DAY }), (cal, start, ms) => {
        const end = addCalendarTime(start, ms, cal);
        expect(calendarTimeBetween(start, end - 1, cal)).toBe(ms - 1);
      }),
    );
  });

  it("given three ordered instants, then time between them adds up", () => {
    fc.assert(
      fc.property(calendar, instant, duration, duration, (cal, a, d1, d2) => {
        const b = a + d1;
        const c = b + d2;
        expect(calendarTimeBetween(a, c, cal)).toBe(
          calendarTimeBetween(a, b, cal) + calendarTimeBetween(b, c, cal),
        );
      }),
    );
  });
});
