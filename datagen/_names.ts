/**
 * Synthetic Russian display names: common first names and surnames combined
 * at random, so no real person is described.
 *
 * @module
 */

import type { Random } from "./random.ts";

const MALE_FIRST = [
  "Александр",
  "Алексей",
  "Андрей",
  "Артём",
  "Владимир",
  "Дмитрий",
  "Евгений",
  "Иван",
  "Илья",
  "Кирилл",
  "Максим",
  "Михаил",
  "Никита",
  "Николай",
  "Олег",
  "Павел",
  "Роман",
  "Сергей",
  "Тимур",
  "Ярослав",
];
const FEMALE_FIRST = [
  "Алина",
  "Анастасия",
  "Анна",
  "Валерия",
  "Виктория",
  "Дарья",
  "Екатерина",
  "Елена",
  "Ирина",
  "Ксения",
  "Мария",
  "Наталья",
  "Ольга",
  "Полина",
  "Светлана",
  "Софья",
  "Татьяна",
  "Ульяна",
  "Юлия",
  "Яна",
];
// Masculine forms; the feminine form adds "а" (Иванов → Иванова).
const SURNAMES = [
  "Иванов",
  "Смирнов",
  "Кузнецов",
  "Попов",
  "Васильев",
  "Петров",
  "Соколов",
  "Михайлов",
  "Новиков",
  "Фёдоров",
  "Морозов",
  "Волков",
  "Алексеев",
  "Лебедев",
  "Семёнов",
  "Егоров",
  "Павлов",
  "Козлов",
  "Степанов",
  "Николаев",
  "Орлов",
  "Андреев",
  "Макаров",
  "Никитин",
  "Захаров",
  "Зайцев",
  "Соловьёв",
  "Борисов",
  "Яковлев",
  "Григорьев",
];

/** A display name such as «Анна С.», feminine when `female`. */
export function russianName(rng: Random, female: boolean): string {
  const first = rng.pick(female ? FEMALE_FIRST : MALE_FIRST);
  const surname = rng.pick(SURNAMES);
  return `${first} ${female ? surname + "а" : surname}`;
}
