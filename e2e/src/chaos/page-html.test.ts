import assert from 'node:assert/strict'
import { test } from 'node:test'
import { framesIn, markersIn } from './page-html.js'

const page = `<main><section slot="todo.list" id="dx-w-todo-list" data-dx-widget="todo.list" aria-label="Todo"><div id="todo-app" data-dx-live="todo:list" data-dx-token="123.abc" data-dx-after="e1:5-0"><p>t-ab12-1-3</p></div></section>
<section slot="chat.room" id="dx-w-chat-room" data-dx-widget="chat.room" aria-label="Chat" hx-get="/_dx/fragment/chat/room"><div class="dx-card" role="status" data-dx-state="unavailable">Chat is currently unavailable</div></section></main>`

test('chaos page html - frames, their state and their grants are read as the browser runtime reads them', () => {
  const [todo, chat] = framesIn(page)
  assert.equal(todo?.slot, 'todo.list')
  assert.equal(todo?.available, true)
  assert.deepEqual(todo?.grants, [{ channel: 'todo:list', token: '123.abc', after: { epoch: 'e1', offset: '5-0' } }])
  assert.equal(chat?.service, 'chat')
  assert.equal(chat?.available, false)
  assert.deepEqual(chat?.grants, [])
})

test('chaos page html - markers are whole words, so m-x-1-1 never matches inside m-x-1-10', () => {
  assert.deepEqual(markersIn('<li>m-ab12-1-10 says hello</li><li title="m-ab12-1-1">m-ab12-1-1</li>', /\bm-ab12-\d+-\d+\b/g), ['m-ab12-1-10', 'm-ab12-1-1', 'm-ab12-1-1'])
})
