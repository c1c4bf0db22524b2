/**
 * The console's shell: sign-in (dev issuer locally, Cognito hosted UI with PKCE in the cloud), the language choice
 * (kk, ru, en; remembered in localStorage), the navigation of the signed-in role's screens and hash routing to them.
 * The token stays in memory: a reload signs in again. Screens get the API client, the language and the session.
 */
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApi } from './api';
import {
  type ConsoleConfig,
  cognitoSignOut,
  completeCognitoSignIn,
  devSignIn,
  loadConfig,
  type SignedIn,
  startCognitoSignIn,
} from './auth';
import type { ConsoleLang, ConsoleRole, ScreenEntry } from './contract';
import { currentRoute, href, matchScreen } from './router';
import { consoleScreens } from './screens';
import { shellStrings } from './shell-strings';
import { ProblemView } from './ui';

const LANG_KEY = 'stablefee.console.lang';
const LANGS: ConsoleLang[] = ['kk', 'ru', 'en'];
const LANG_NAMES: Record<ConsoleLang, string> = { kk: 'Қазақша', ru: 'Русский', en: 'English' };
const ROLES: ConsoleRole[] = ['ministry', 'auditor', 'operator', 'compliance'];

/** The remembered language, else the browser's when it is one of ours, else Russian. */
function initialLang(): ConsoleLang {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved && (LANGS as string[]).includes(saved)) return saved as ConsoleLang;
  const browser = navigator.language.slice(0, 2);
  return (LANGS as string[]).includes(browser) ? (browser as ConsoleLang) : 'ru';
}

function LanguageSwitch({ lang, setLang }: { lang: ConsoleLang; setLang: (l: ConsoleLang) => void }) {
  return (
    <label class="lang">
      {shellStrings[lang].language}{' '}
      <select value={lang} onChange={(e) => setLang((e.target as HTMLSelectElement).value as ConsoleLang)}>
        {LANGS.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANG_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}

function DevSignIn({ lang, onSignedIn }: { lang: ConsoleLang; onSignedIn: (s: SignedIn) => void }) {
  const t = shellStrings[lang];
  const [role, setRole] = useState<ConsoleRole>('ministry');
  const [ministry, setMinistry] = useState('AFSA');
  const [subject, setSubject] = useState('');
  const [problem, setProblem] = useState<unknown>(undefined);
  const submit = async (event: Event) => {
    event.preventDefault();
    const answer = await devSignIn({ role, ministry: ministry.trim(), subject: subject.trim() || undefined });
    if ('problem' in answer) setProblem(answer.problem);
    else onSignedIn(answer);
  };
  return (
    <form class="card signin" onSubmit={submit}>
      <p>{t.devNote}</p>
      <label>
        {t.role}
        <select
          name="role"
          value={role}
          onChange={(e) => setRole((e.target as HTMLSelectElement).value as ConsoleRole)}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t[`${r}Role`]}
            </option>
          ))}
        </select>
      </label>
      {role === 'ministry' && (
        <label>
          {t.ministry}
          <input
            name="ministry"
            value={ministry}
            required
            onInput={(e) => setMinistry((e.target as HTMLInputElement).value)}
          />
        </label>
      )}
      <label>
        {t.subject}
        <input
          name="subject"
          value={subject}
          aria-describedby="subject-hint"
          onInput={(e) => setSubject((e.target as HTMLInputElement).value)}
        />
      </label>
      <p id="subject-hint" class="hint">
        {t.subjectHint}
      </p>
      {problem ? (
        <ProblemView lang={lang} result={{ ok: false, status: 400, body: problem, headers: new Headers() }} />
      ) : null}
      <button type="submit" class="primary">
        {t.signIn}
      </button>
    </form>
  );
}

function SignInPage(props: {
  lang: ConsoleLang;
  setLang: (l: ConsoleLang) => void;
  config: ConsoleConfig;
  notice?: string;
  onSignedIn: (s: SignedIn) => void;
}) {
  const t = shellStrings[props.lang];
  const { config } = props;
  return (
    <>
      <header class="topbar">
        <span class="brand">{t.app}</span>
        <LanguageSwitch lang={props.lang} setLang={props.setLang} />
      </header>
      <main id="main" class="full">
        <h1>{t.signInTitle}</h1>
        {props.notice && (
          <p class="problem" role="alert">
            {props.notice}
          </p>
        )}
        {config.mode === 'dev' ? (
          <DevSignIn lang={props.lang} onSignedIn={props.onSignedIn} />
        ) : (
          <div class="card signin">
            <p>{t.cognitoNote}</p>
            <button type="button" class="primary" onClick={() => startCognitoSignIn(config)}>
              {t.signIn}
            </button>
          </div>
        )}
      </main>
    </>
  );
}

function Shell(props: {
  lang: ConsoleLang;
  setLang: (l: ConsoleLang) => void;
  signedIn: SignedIn;
  screens: ScreenEntry[];
  onSignOut: () => void;
  onUnauthorized: () => void;
}) {
  const { lang, signedIn } = props;
  const t = shellStrings[lang];
  const [route, setRoute] = useState(currentRoute());
  const heading = useRef<HTMLHeadingElement>(null);
  const tokenRef = useRef(signedIn.token);
  tokenRef.current = signedIn.token;
  const api = useMemo(() => createApi(() => tokenRef.current, props.onUnauthorized), [props.onUnauthorized]);
  const role = signedIn.session.role;
  const nav = props.screens.filter((s) => s.nav && s.roles.includes(role));

  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (!route && nav[0]) location.replace(href(nav[0].path));
  }, [route, nav]);
  // A new screen moves focus to its heading, so keyboard and screen-reader users start there.
  useEffect(() => heading.current?.focus(), [route]);

  const matched = matchScreen(props.screens, role, route);
  const Screen = matched?.screen.component as ((p: Record<string, unknown>) => preact.JSX.Element) | undefined;
  const who = `${t[`${role}Role`]}${signedIn.session.ministry ? ` · ${signedIn.session.ministry}` : ''}${
    signedIn.session.subject ? ` · ${signedIn.session.subject}` : ''
  }`;
  return (
    <>
      <button type="button" class="skip" onClick={() => heading.current?.focus()}>
        {t.skip}
      </button>
      <header class="topbar">
        <span class="brand">{t.app}</span>
        <span class="who">
          {t.signedInAs}: {who}
        </span>
        <LanguageSwitch lang={lang} setLang={props.setLang} />
        <button type="button" onClick={props.onSignOut}>
          {t.signOut}
        </button>
      </header>
      <nav class="sidenav" aria-label={t.navigation}>
        <ul>
          {nav.map((s) => (
            <li key={s.path}>
              <a href={href(s.path)} aria-current={route === s.path ? 'page' : undefined}>
                {s.title[lang]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main">
        <h1 ref={heading} tabIndex={-1}>
          {matched ? matched.screen.title[lang] : t.notFound}
        </h1>
        {Screen && matched ? (
          <Screen key={route} api={api} lang={lang} session={signedIn.session} params={matched.params} />
        ) : null}
      </main>
    </>
  );
}

function App({ config, screens }: { config: ConsoleConfig; screens: ScreenEntry[] }) {
  const [lang, setLangState] = useState<ConsoleLang>(initialLang());
  const [signedIn, setSignedIn] = useState<SignedIn | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const setLang = (l: ConsoleLang) => {
    localStorage.setItem(LANG_KEY, l);
    setLangState(l);
  };
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = shellStrings[lang].app;
  }, [lang]);
  useEffect(() => {
    if (config.mode !== 'cognito') return;
    completeCognitoSignIn(config).then((answer) => {
      if (!answer) return;
      if ('error' in answer) setNotice(answer.error);
      else setSignedIn(answer);
    });
  }, [config]);
  const onUnauthorized = useMemo(
    () => () => {
      setSignedIn(undefined);
      setNotice(shellStrings[lang].expired);
    },
    [lang],
  );
  if (!signedIn) {
    return (
      <SignInPage
        lang={lang}
        setLang={setLang}
        config={config}
        notice={notice}
        onSignedIn={(s) => {
          setNotice(undefined);
          setSignedIn(s);
        }}
      />
    );
  }
  const signOut = () => {
    setSignedIn(undefined);
    if (config.mode === 'cognito') cognitoSignOut(config);
  };
  return (
    <Shell
      lang={lang}
      setLang={setLang}
      signedIn={signedIn}
      screens={screens}
      onSignOut={signOut}
      onUnauthorized={onUnauthorized}
    />
  );
}

const root = document.getElementById('app');
if (root) {
  loadConfig().then(
    (config) => {
      root.textContent = '';
      render(<App config={config} screens={consoleScreens} />, root);
    },
    (error) => {
      root.textContent = `The console could not start: ${String(error)}`;
    },
  );
}
