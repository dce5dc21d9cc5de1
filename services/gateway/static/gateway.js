// Progressive enhancement only: every page works without it.
import { initAll } from './nhsuk/nhsuk-frontend.min.js'

initAll()

// The ballot: drag the recommendations into order, or move one up or down with a button (the
// keyboard's way). Either way the order is written into the form's place fields, which are
// what the server reads; without JavaScript a member sets the places directly.
function enhanceBallot (list) {
  const items = () => Array.from(list.querySelectorAll('[data-code]'))
  const renumber = () => {
    items().forEach((item, index) => {
      const place = item.querySelector('select')
      if (place) place.value = String(index + 1)
    })
  }
  const status = document.createElement('p')
  status.className = 'nhsuk-u-visually-hidden'
  status.setAttribute('aria-live', 'polite')
  list.after(status)
  const moved = (item) => {
    renumber()
    status.textContent = `${item.dataset.code} moved to place ${items().indexOf(item) + 1}`
  }
  let dragged = null
  for (const item of items()) {
    item.draggable = true
    item.classList.add('knet-ballot__item--draggable')
    item.addEventListener('dragstart', () => { dragged = item; item.classList.add('knet-ballot__item--dragging') })
    item.addEventListener('dragend', () => { item.classList.remove('knet-ballot__item--dragging'); dragged = null })
    item.addEventListener('dragover', (event) => { event.preventDefault() })
    item.addEventListener('drop', (event) => {
      event.preventDefault()
      if (!dragged || dragged === item) return
      const after = event.clientY > item.getBoundingClientRect().top + item.offsetHeight / 2
      item.parentNode.insertBefore(dragged, after ? item.nextSibling : item)
      moved(dragged)
    })
    const controls = document.createElement('div')
    controls.className = 'knet-ballot__controls'
    for (const [label, step] of [['Move up', -1], ['Move down', 1]]) {
      const button = document.createElement('button')
      button.type = 'button'
      button.className = 'nhsuk-button nhsuk-button--secondary nhsuk-button--small'
      button.textContent = label
      button.setAttribute('aria-label', `${label}: ${item.dataset.code}`)
      button.addEventListener('click', () => {
        const all = items()
        const target = all[all.indexOf(item) + step]
        if (!target) return
        list.insertBefore(item, step < 0 ? target : target.nextSibling)
        moved(item)
        button.focus()
      })
      controls.append(button)
    }
    item.append(controls)
  }
  const hint = document.querySelector('.knet-ballot-hint')
  if (hint) hint.hidden = false
}

document.querySelectorAll('[data-ballot]').forEach(enhanceBallot)

// The unread count, live: the server sends it over server-sent events when it changes.
for (const link of document.querySelectorAll('[data-unread-stream]')) {
  const stream = new EventSource(link.dataset.unreadStream)
  stream.addEventListener('unread', (event) => {
    const { unread } = JSON.parse(event.data)
    if (unread === null) return
    for (const count of document.querySelectorAll('[data-unread-count]')) {
      count.textContent = String(unread)
    }
  })
}

// The organisation picker: the matches follow the typing. Only the latest answer is shown (an
// earlier, slower one never overwrites it), and the choice made stays chosen.
function enhanceOrganisationPicker (picker) {
  const prefix = picker.dataset.prefix || ''
  const search = picker.querySelector(`input[name="${prefix}organisation_search"]`)
  const form = picker.closest('form')
  if (!search || !form) return
  let latest = 0
  let timer = null
  const refresh = async () => {
    const asked = ++latest
    const region = form.querySelector(`[name="${prefix}region"]`)
    const chosen = form.querySelector(`input[name="${prefix}organisation_id"]:checked`)
    const query = new URLSearchParams({
      q: search.value,
      region: region ? region.value : '',
      chosen: chosen ? chosen.value : '',
      prefix
    })
    const answer = await fetch(`/organisations/options?${query}`, { headers: { Accept: 'text/html' } })
    if (asked !== latest || !answer.ok) return
    const holder = document.createElement('div')
    holder.innerHTML = await answer.text()
    const fresh = holder.querySelector('[data-organisation-options]')
    const shown = picker.querySelector('[data-organisation-options]')
    if (!fresh || !shown) return
    // What was typed into "its name" is the person's, not the answer's: keep it.
    const proposed = shown.querySelector(`input[name="${prefix}proposed_organisation"]`)
    const replacing = fresh.querySelector(`input[name="${prefix}proposed_organisation"]`)
    if (proposed && replacing && proposed.value) replacing.value = proposed.value
    shown.replaceWith(fresh)
  }
  search.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(refresh, 200)
  })
  // Enter in the search field finds, rather than sending the whole form.
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') { event.preventDefault(); clearTimeout(timer); refresh() }
  })
}

document.querySelectorAll('[data-organisation-picker]').forEach(enhanceOrganisationPicker)
