import type { ProfileInput } from '#lib/directory/profiles.ts';

/** A directory profile with nothing filled in and nothing shown: tests add only what they are about. */
export const blankProfile: ProfileInput = {
  roleTitle: null,
  areas: [],
  askMeAbout: null,
  showAskMeAbout: false,
  workPhone: null,
  showWorkPhone: false,
  workEmail: null,
  showWorkEmail: false,
  link: null,
};
