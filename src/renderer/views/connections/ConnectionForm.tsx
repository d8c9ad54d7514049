import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { ConnectionSummary } from '../../../shared/connection';
import { connectionPresets, derivedCdnBaseUrl, derivedEndpoint, providerOrder, type Provider } from '../../../shared/connectionPresets';
import { ApiError, call, messageOf } from '../../api/appApi';
import { Button } from '../../components/Button';
import { FormRefusal } from '../../components/FormRefusal';
import { initialValues, noErrors, placeEngineError, sizeUnits, toConnectionInput, validate, type ConnectionFormValues, type FieldName, type FormErrors, type SizeUnit } from './connectionForm';
import { SelectField } from '../../components/SelectField';
import { TextInputField } from '../../components/TextInputField';
import fields from '../../components/fields.module.css';
import styles from './ConnectionForm.module.css';

/**
 * Adding a connection: the provider's preset decides which fields are asked; the page checks the
 * form with the contract's schema, then the engine tests the keys against the bucket and saves
 * only if that works. Every refusal is shown at the field the author has to change.
 */
export function ConnectionForm(props: { isFirst: boolean; onSaved: (saved: ConnectionSummary) => void; onCancel: () => void }) {
  const [values, setValues] = useState<ConnectionFormValues>(() => initialValues('digitalocean_spaces', props.isFirst));
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [testing, setTesting] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const formId = useId();
  const regionListId = `${formId}-regions`;
  const preset = connectionPresets[values.provider];

  /** Editing a field takes its error away: it is about what was there before. */
  const set = <K extends keyof ConnectionFormValues>(key: K, value: ConnectionFormValues[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    const field = (key === 'maxFileSizeUnit' ? 'maxFileSize' : key) as FieldName;
    setErrors((current) => {
      if (!current.fields[field] && !current.form) return current;
      const rest = { ...current.fields };
      delete rest[field];
      // Both keys carry an access_denied message; changing either answers it.
      if (field === 'accessKeyId' || field === 'secret') {
        if (rest.accessKeyId === rest.secret) {
          delete rest.accessKeyId;
          delete rest.secret;
        }
      }
      return { fields: rest, form: null };
    });
  };

  const chooseProvider = (provider: Provider) => {
    setValues((current) => ({ ...current, provider, region: connectionPresets[provider].defaultRegion }));
    setErrors(noErrors);
  };

  // The first field at fault takes the focus, so a keyboard or screen reader user lands on it:
  // after the render that marked it, whichever order React and the browser run things in.
  const [focusRequest, setFocusRequest] = useState(0);
  useEffect(() => {
    if (focusRequest > 0) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [focusRequest]);

  const showErrors = (next: FormErrors) => {
    setErrors(next);
    setFocusRequest((n) => n + 1);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (testing) return;
    const invalid = validate(values);
    if (invalid) {
      showErrors(invalid);
      return;
    }
    setTesting(true);
    setErrors(noErrors);
    try {
      const saved = await call('connections.add', { connection: toConnectionInput(values), secret: values.secret === '' ? undefined : values.secret });
      setValues(initialValues()); // the secret leaves the page's memory with the form
      props.onSaved(saved);
    } catch (error) {
      showErrors(error instanceof ApiError ? placeEngineError(error.code, error.message, values.provider) : { fields: {}, form: messageOf(error) });
    } finally {
      setTesting(false);
    }
  };

  const endpoint = derivedEndpoint(values.provider, values.region.trim());
  const cdn = derivedCdnBaseUrl(values.provider, values.region.trim(), values.bucket.trim());
  const sizeUnitOptions = (Object.keys(sizeUnits) as SizeUnit[]).map((unit) => ({ value: unit, label: unit }));

  return (
    <form ref={formRef} className={styles.form} onSubmit={submit} noValidate aria-labelledby="add-connection-title" aria-busy={testing}>
      <h2 id="add-connection-title" className={styles.title}>
        Add a connection
      </h2>

      <fieldset className={styles.providers}>
        <legend className={fields.label}>Where your files go</legend>
        {providerOrder.map((provider) => (
          <label key={provider} className={styles.provider} data-selected={values.provider === provider || undefined}>
            <input
              type="radio"
              name="provider"
              value={provider}
              checked={values.provider === provider}
              onChange={() => chooseProvider(provider)}
              aria-labelledby={`${formId}-${provider}`}
              aria-describedby={`${formId}-${provider}-about`}
            />
            <span>
              <span id={`${formId}-${provider}`} className={styles.providerName}>
                {connectionPresets[provider].label}
              </span>
              <span id={`${formId}-${provider}-about`} className={fields.description}>
                {connectionPresets[provider].description}
              </span>
            </span>
          </label>
        ))}
      </fieldset>

      <div className={styles.grid}>
        <TextInputField
          label="Name"
          name="name"
          isRequired
          value={values.name}
          onChange={(v) => set('name', v)}
          error={errors.fields.name}
          description="How Quire names it, for you: “Books”, “Audio archive”."
          autoComplete="off"
        />

        {preset.regionsAreFixed ? (
          <SelectField
            label="Region"
            name="region"
            value={values.region}
            options={preset.regions.map((region) => ({ value: region, label: region }))}
            onChange={(v) => set('region', v)}
            error={errors.fields.region}
            description={endpoint ? `Files go to ${endpoint}` : undefined}
          />
        ) : (
          <>
            <TextInputField
              label="Region"
              name="region"
              isRequired
              value={values.region}
              onChange={(v) => set('region', v)}
              error={errors.fields.region}
              list={preset.regions.length > 0 ? regionListId : undefined}
              autoComplete="off"
              spellCheck={false}
              description={endpoint ? `Files go to ${endpoint}` : 'The region the service asks for; us-east-1 when it names none.'}
            />
            {preset.regions.length > 0 && (
              <datalist id={regionListId}>
                {preset.regions.map((region) => (
                  <option key={region} value={region} />
                ))}
              </datalist>
            )}
          </>
        )}

        {preset.asksEndpoint && (
          <>
            <TextInputField
              label="Endpoint URL"
              name="endpoint"
              type="url"
              isRequired
              value={values.endpoint}
              onChange={(v) => set('endpoint', v)}
              error={errors.fields.endpoint}
              placeholder="https://s3.example.com"
              autoComplete="off"
              spellCheck={false}
              description="The address of the S3 service, from its documentation or control panel."
            />
            <label className={`${fields.check} ${styles.wide}`}>
              <input type="checkbox" checked={values.pathStyle} onChange={(event) => set('pathStyle', event.target.checked)} />
              <span>
                Path-style addresses (endpoint/bucket/key)
                <span className={`${fields.description} ${styles.block}`}>Most self-hosted servers (MinIO, Ceph) need this; turn it off for services with bucket sub-domains.</span>
              </span>
            </label>
          </>
        )}

        <TextInputField
          label="Bucket"
          name="bucket"
          isRequired
          value={values.bucket}
          onChange={(v) => set('bucket', v)}
          error={errors.fields.bucket}
          autoComplete="off"
          spellCheck={false}
          description={values.provider === 'digitalocean_spaces' ? 'The name of the Space.' : 'The bucket’s name, as the service shows it.'}
        />

        <TextInputField
          label="Access key ID"
          name="accessKeyId"
          isRequired
          value={values.accessKeyId}
          onChange={(v) => set('accessKeyId', v)}
          error={errors.fields.accessKeyId}
          autoComplete="off"
          spellCheck={false}
        />

        <TextInputField
          label="Secret access key"
          name="secret"
          type="password"
          value={values.secret}
          onChange={(v) => set('secret', v)}
          error={errors.fields.secret}
          autoComplete="new-password"
          description="Kept in this computer’s keychain, never shown again. Leave it empty only if Quire’s host has the keys in its environment."
        />

        <TextInputField
          label="CDN address (optional)"
          name="cdnBaseUrl"
          type="url"
          value={values.cdnBaseUrl}
          onChange={(v) => set('cdnBaseUrl', v)}
          error={errors.fields.cdnBaseUrl}
          placeholder={cdn ?? 'https://cdn.example.com'}
          autoComplete="off"
          spellCheck={false}
          description={cdn ? `Public links use ${cdn} unless you give your own domain.` : 'Public links start with this; without it they use the bucket’s address.'}
        />

        <SelectField
          label="New files are"
          name="defaultVisibility"
          value={values.defaultVisibility}
          options={[
            { value: 'private', label: 'Private (share links only)' },
            { value: 'public-read', label: 'Public (anyone with the link)' },
          ]}
          onChange={(v) => set('defaultVisibility', v as ConnectionFormValues['defaultVisibility'])}
          error={errors.fields.defaultVisibility}
          description="You can still choose per upload."
        />

        <div className={styles.size}>
          <TextInputField
            label="Largest file"
            name="maxFileSize"
            inputMode="decimal"
            value={values.maxFileSize}
            onChange={(v) => set('maxFileSize', v)}
            error={errors.fields.maxFileSize}
            description="Bigger files are refused before anything is sent."
            className={styles.sizeNumber}
          />
          <SelectField label="Unit" value={values.maxFileSizeUnit} options={sizeUnitOptions} onChange={(v) => set('maxFileSizeUnit', v as SizeUnit)} className={styles.sizeUnit} />
        </div>

        <TextInputField
          label="Allowed file types (optional)"
          name="allowedFileTypes"
          value={values.allowedFileTypes}
          onChange={(v) => set('allowedFileTypes', v)}
          error={errors.fields.allowedFileTypes}
          placeholder="pdf, epub, mp3, jpg"
          autoComplete="off"
          spellCheck={false}
          description="Extensions separated by commas; empty allows every type."
        />

        <label className={`${fields.check} ${styles.wide}`}>
          <input type="checkbox" checked={values.makeDefault} onChange={(event) => set('makeDefault', event.target.checked)} />
          <span>Use it for new uploads (the default connection)</span>
        </label>
      </div>

      <FormRefusal form={errors.form} fields={errors.fields} outcome="Not saved." />

      <div className={styles.actions}>
        <Button type="submit" variant="primary" isDisabled={testing}>
          {testing ? 'Testing the connection…' : 'Test and save'}
        </Button>
        <Button onPress={props.onCancel} isDisabled={testing}>
          Cancel
        </Button>
        <span className={fields.description}>Quire writes and removes a small test object in the bucket before it saves anything.</span>
      </div>
    </form>
  );
}
